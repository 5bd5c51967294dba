import type { DataSource } from 'typeorm';
import { roomTargetId } from '../domain/target';
import { enqueuePersons } from '../jobs/enqueue';
import { PRIORITY } from '../jobs/types';
import { type RoomMapping, replaceRoomMapping } from '../store/rooms';

export interface RoomImport {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  jobsQueued: number;
}

/**
 * `kada rooms import` after its file was checked: the mapping replaced and the job of every room it maps,
 * re-addresses or unmaps queued, in one transaction, so a running `kada run` fills or empties those room
 * mailboxes at once (an unmapped room's events are gone within a minute).
 */
export async function importRoomMapping(ds: DataSource, mapping: RoomMapping[]): Promise<RoomImport> {
  return ds.transaction(async (q) => {
    const change = await replaceRoomMapping(q, mapping);
    const touched = [...change.added, ...change.changed, ...change.removed];
    const jobsQueued = await enqueuePersons(q, touched.map(roomTargetId), {
      priority: PRIORITY.notification,
      reason: 'rooms import',
    });
    return { ...change, jobsQueued };
  });
}
