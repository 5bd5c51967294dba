import type { Queryable } from '../store/queryable';
import { JOBS_CHANNEL, PRIORITY } from './types';

export interface EnqueueOptions {
  /** Default: an other change (PRIORITY.notification). */
  priority?: number;
  force?: boolean;
  reason: string;
  maxAttempts?: number;
  /**
   * Wake idle workers everywhere (default). Off for a job the caller runs itself at once (runJobNow.ts):
   * a NOTIFY would have every idle `kada run` loop race the caller for it.
   */
  notify?: boolean;
}

/**
 * Queues a sync of one person. A person has at most one queued job: a new trigger coalesces into
 * it (its priority becomes the most urgent reason's, keeping the most recent reasons) and gets that
 * job's id back. A more urgent reason also makes a job waiting for later (a retry) due now.
 */
export async function enqueuePerson(db: Queryable, personId: string, opts: EnqueueOptions): Promise<string> {
  const rows = await db.query(
    `WITH j AS (
       INSERT INTO jobs (person_id, priority, force, reasons, max_attempts)
       VALUES ($1, $2, $3, ARRAY[$4::text], $5)
       ON CONFLICT (person_id) WHERE state = 'queued' DO UPDATE
         SET priority = GREATEST(jobs.priority, EXCLUDED.priority),
             force = jobs.force OR EXCLUDED.force,
             reasons = (EXCLUDED.reasons || jobs.reasons)[1:10],
             run_at = CASE WHEN EXCLUDED.priority > jobs.priority THEN LEAST(jobs.run_at, now()) ELSE jobs.run_at END
       RETURNING id
     )
     SELECT id${opts.notify === false ? '' : `, pg_notify('${JOBS_CHANNEL}', '')`} FROM j`,
    [
      personId,
      opts.priority ?? PRIORITY.notification,
      opts.force ?? false,
      opts.reason.slice(0, 200),
      opts.maxAttempts ?? 8,
    ],
  );
  return String(rows[0].id);
}

/** Queues many persons in one statement (a course fan-out); returns how many were new or coalesced. */
export async function enqueuePersons(db: Queryable, personIds: string[], opts: EnqueueOptions): Promise<number> {
  const unique = [...new Set(personIds)];
  if (unique.length === 0) return 0;
  const rows = await db.query(
    `WITH j AS (
       INSERT INTO jobs (person_id, priority, force, reasons, max_attempts)
       SELECT p, $2, $3, ARRAY[$4::text], $5 FROM unnest($1::text[]) AS p
       ON CONFLICT (person_id) WHERE state = 'queued' DO UPDATE
         SET priority = GREATEST(jobs.priority, EXCLUDED.priority),
             force = jobs.force OR EXCLUDED.force,
             reasons = (EXCLUDED.reasons || jobs.reasons)[1:10],
             run_at = CASE WHEN EXCLUDED.priority > jobs.priority THEN LEAST(jobs.run_at, now()) ELSE jobs.run_at END
       RETURNING id
     )
     SELECT count(*)::int AS n, pg_notify('${JOBS_CHANNEL}', '') FROM j`,
    [
      unique,
      opts.priority ?? PRIORITY.notification,
      opts.force ?? false,
      opts.reason.slice(0, 200),
      opts.maxAttempts ?? 8,
    ],
  );
  return rows[0].n;
}
