import type { Queryable } from '../store/queryable';
import { JOBS_CHANNEL } from './types';

/**
 * Queues persons to run no earlier than `at` (the second sighting of a wipe-out). A person who already
 * has a queued job keeps it: that job sees the wipe-out again and queues the next look itself.
 */
export async function enqueuePersonsAt(
  db: Queryable,
  personIds: string[],
  at: Date,
  opts: { priority: number; reason: string },
): Promise<void> {
  const unique = [...new Set(personIds)];
  if (unique.length === 0) return;
  await db.query(
    `WITH j AS (
       INSERT INTO jobs (person_id, priority, reasons, run_at)
       SELECT p, $2, ARRAY[$3::text], $4 FROM unnest($1::text[]) AS p
       ON CONFLICT (person_id) WHERE state = 'queued' DO NOTHING
       RETURNING id
     )
     SELECT count(*)::int AS n, pg_notify('${JOBS_CHANNEL}', '') FROM j`,
    [unique, opts.priority, opts.reason.slice(0, 200), at],
  );
}
