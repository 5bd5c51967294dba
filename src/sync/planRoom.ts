import { roomTargetId } from '../domain/target';
import type { PersonOutcome, PersonPlan, PersonReading, SeriesWork } from './personJob';
import { deleteAll, planMailboxWrites } from './planPerson';
import { plannedResult } from './plannedResult';

/**
 * What a room job reads (rooms-ics.md): the mapping, the room's state rows and desired events, and in
 * reconcile mode what Graph holds in the room mailbox. Rooms use the person job's state rows, plan
 * and writer under the target id `room:<tp_room_id>`.
 */
export type RoomReading = Pick<PersonReading, 'stored' | 'generations' | 'wanted' | 'graph'> & {
  roomId: string;
  /** The room mailbox; null when the room is no longer mapped. */
  mailbox: string | null;
};

const NO_SERIES: SeriesWork = { exceptions: [], forget: [], masters: new Map() };

/**
 * The plan of a room job (pure): a mapped room's mailbox is made to hold exactly its desired events,
 * always in the default calendar, with no set-up step (no category, no dedicated calendar); an unmapped
 * room loses every kada event. Unmapping is the operator's decision, not a source outage, so those
 * deletes are not counted by the deletion guard; a TP occurrence leaving the room is, as for a person.
 */
export function planRoom(r: RoomReading, institution: string): PersonPlan {
  const personId = roomTargetId(r.roomId);
  const base = { personId, orphans: [], record: null, noMailboxError: null, setup: null, stored: r.stored };
  if (!r.mailbox) {
    const outcome: PersonOutcome = 'unmapped';
    const ops = deleteAll(r.stored);
    const result = plannedResult({
      personId,
      outcome,
      mailbox: null,
      ops,
      series: NO_SERIES,
      stored: r.stored,
      wanted: r.wanted,
    });
    return { ...base, outcome, mailbox: null, adopt: null, ops, series: NO_SERIES, result };
  }
  const { ops, series, adopt } = planMailboxWrites(r, r.mailbox, null, institution);
  const outcome: PersonOutcome = 'synced';
  const result = plannedResult({
    personId,
    outcome,
    mailbox: r.mailbox,
    ops,
    series,
    stored: r.stored,
    wanted: r.wanted,
  });
  return { ...base, outcome, mailbox: r.mailbox, adopt, ops, series, result };
}
