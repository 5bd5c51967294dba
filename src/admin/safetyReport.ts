import { enqueuePersons } from '../jobs/enqueue';
import { PRIORITY } from '../jobs/types';
import type { Metrics } from '../observability/metrics';
import { countHeld, deletesThisHour, dropHeld, type HeldDelete, listHeld, releaseHeld } from '../store/heldDeletes';
import type { Queryable } from '../store/queryable';
import { listSightings, type WipeKind } from '../store/wipeSightings';

/**
 * The safety rails as an operator sees them (`kada status`, `kada deletes`, `/api/status`, `/api/deletes`,
 * the web page): deletions held by KADA_DELETE_GUARD, and wipe-outs waiting for a second sighting.
 */

export interface SafetyReport {
  deletes: { held: number; released: number; persons: number; executedThisHour: number };
  pendingConfirmations: { kind: WipeKind; subject: string; firstSeenAt: Date; lastSeenAt: Date }[];
}

export async function safetyReport(db: Queryable, metrics?: Metrics): Promise<SafetyReport> {
  const [held, thisHour, sightings] = await Promise.all([countHeld(db), deletesThisHour(db), listSightings(db)]);
  metrics?.deletesHeld.set(held.held);
  if (metrics)
    for (const kind of ['person', 'course'] as const)
      metrics.wipesPending.set({ kind }, sightings.filter((s) => s.kind === kind).length);
  return {
    deletes: { ...held, executedThisHour: thisHour },
    pendingConfirmations: sightings,
  };
}

export interface HeldDeletesView {
  held: number;
  released: number;
  persons: number;
  executedThisHour: number;
  items: HeldDelete[];
}

export async function heldDeletesView(db: Queryable, limit = 1000): Promise<HeldDeletesView> {
  const [counts, thisHour, items] = await Promise.all([countHeld(db), deletesThisHour(db), listHeld(db, limit)]);
  return { ...counts, executedThisHour: thisHour, items };
}

export interface DeletesVerdict {
  action: 'release' | 'drop';
  deletes: number;
  persons: number;
  jobsQueued: number;
}

/**
 * Release: the held deletions are executed by their persons' next jobs, queued now (a deletion the sources
 * no longer ask for by then is not executed). Drop: they are forgotten, and the persons are checked against
 * the sources again; deletions still asked for count anew against the guard.
 */
export async function decideHeldDeletes(
  db: Queryable,
  action: 'release' | 'drop',
  metrics?: Metrics,
): Promise<DeletesVerdict & { personIds: string[] }> {
  const done = action === 'release' ? await releaseHeld(db) : await dropHeld(db);
  const jobsQueued = await enqueuePersons(db, done.personIds, {
    priority: PRIORITY.notification,
    reason: action === 'release' ? 'held deletions released' : 'held deletions dropped',
  });
  metrics?.deletesHeld.set((await countHeld(db)).held);
  return { action, deletes: done.deletes, persons: done.personIds.length, jobsQueued, personIds: done.personIds };
}
