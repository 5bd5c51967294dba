import type { Queryable } from '../store/queryable';
import { JOBS_CHANNEL, PRIORITY } from './types';

export async function completeJob(db: Queryable, jobId: string, workerId: string, result: unknown): Promise<void> {
  await db.query(
    `WITH done AS (
       UPDATE jobs SET state = 'done', finished_at = now(), locked_by = NULL, locked_until = NULL, result = $3,
         last_error = NULL
        WHERE id = $1 AND locked_by = $2 AND state = 'running'
        RETURNING priority)
     -- the end of a fill's first pass may free the later weeks waiting for it (takeJob)
     SELECT pg_notify('${JOBS_CHANNEL}', '') FROM done WHERE priority >= $4 AND priority < $5`,
    [jobId, workerId, JSON.stringify(result ?? null), PRIORITY.fill, PRIORITY.notification],
  );
}

/**
 * A failed attempt. Transient failures go back to the queue after `retryInMs` until max_attempts,
 * then the job is `failed` for an admin to see. If the person got a new queued job meanwhile, the
 * retry is merged into it and this job points there (superseded_by).
 */
export async function failJob(
  db: Queryable,
  jobId: string,
  workerId: string,
  error: string,
  opts: { transient: boolean; retryInMs: number },
): Promise<'retrying' | 'failed' | 'merged'> {
  const rows = await db.query(
    `WITH me AS (
       SELECT id, person_id, priority, force, attempts, max_attempts FROM jobs
        WHERE id = $1 AND locked_by = $2 AND state = 'running' FOR UPDATE
     ), other AS (
       SELECT j.id FROM jobs j, me WHERE j.person_id = me.person_id AND j.state = 'queued'
     ), retry AS (
       UPDATE jobs SET state = 'queued', run_at = now() + make_interval(secs => $4::double precision / 1000),
              locked_by = NULL, locked_until = NULL, last_error = $3
        WHERE id = (SELECT id FROM me) AND $5 AND (SELECT attempts < max_attempts FROM me) AND NOT EXISTS (SELECT 1
          FROM other)
        RETURNING 'retrying'::text AS outcome
     ), merge_into AS (
       UPDATE jobs SET priority = GREATEST(jobs.priority, (SELECT priority FROM me)), force = jobs.force OR (SELECT
         force FROM me)
        WHERE id = (SELECT id FROM other) AND $5 AND (SELECT attempts < max_attempts FROM me)
        RETURNING id
     ), merged AS (
       UPDATE jobs SET state = 'done', superseded_by = (SELECT id FROM merge_into), finished_at = now(),
              locked_by = NULL, locked_until = NULL, last_error = $3
        WHERE id = (SELECT id FROM me) AND EXISTS (SELECT 1 FROM merge_into)
        RETURNING 'merged'::text AS outcome
     ), failed AS (
       UPDATE jobs SET state = 'failed', finished_at = now(), locked_by = NULL, locked_until = NULL, last_error = $3
        WHERE id = (SELECT id FROM me) AND NOT ($5 AND (SELECT attempts < max_attempts FROM me))
        RETURNING 'failed'::text AS outcome
     )
     SELECT outcome FROM retry UNION ALL SELECT outcome FROM merged UNION ALL SELECT outcome FROM failed`,
    [jobId, workerId, error.slice(0, 2000), opts.retryInMs, opts.transient],
  );
  await db.query(`SELECT pg_notify('${JOBS_CHANNEL}', '')`);
  return rows[0]?.outcome ?? 'failed';
}

/** Extends a running job's lease and records its progress (shown by the API and the web page). */
export async function heartbeat(
  db: Queryable,
  jobId: string,
  workerId: string,
  leaseMs: number,
  progress?: { done: number; total: number },
): Promise<boolean> {
  const rows = await db.query(
    // As a CTE so the rows come back as rows (TypeORM answers a bare UPDATE ... RETURNING with [rows, count]).
    `WITH beat AS (
       UPDATE jobs SET locked_until = now() + make_interval(secs => $3::double precision / 1000),
              progress = COALESCE($4::jsonb, progress)
        WHERE id = $1 AND locked_by = $2 AND state = 'running' RETURNING id)
     SELECT id FROM beat`,
    [jobId, workerId, leaseMs, progress ? JSON.stringify(progress) : null],
  );
  return rows.length > 0;
}

/**
 * Jobs whose process died (lease expired) go back to the queue, marked so the next attempt
 * reconciles against Graph: the crash may have fallen between a Graph write and its record.
 */
export async function reclaimExpired(db: Queryable): Promise<number> {
  const rows = await db.query(
    `WITH dead AS (
       SELECT d.id, d.person_id FROM jobs d WHERE d.state = 'running' AND d.locked_until < now() FOR UPDATE SKIP LOCKED
     ), merged AS (
       UPDATE jobs q SET force = true, reasons = (ARRAY['recovered after a crash'] || q.reasons)[1:10]
         FROM dead WHERE q.person_id = dead.person_id AND q.state = 'queued'
       RETURNING dead.id AS dead_id, q.id AS into_id
     ), superseded AS (
       UPDATE jobs SET state = 'done', superseded_by = merged.into_id, finished_at = now(), locked_by = NULL,
         locked_until = NULL,
              last_error = 'worker died; merged into a newer job'
         FROM merged WHERE jobs.id = merged.dead_id
       RETURNING jobs.id
     ), requeued AS (
       UPDATE jobs SET state = 'queued', run_at = now(), locked_by = NULL, locked_until = NULL, force = true,
              reasons = (ARRAY['recovered after a crash'] || reasons)[1:10], last_error = 'worker died during the job'
        WHERE id IN (SELECT id FROM dead) AND id NOT IN (SELECT dead_id FROM merged)
       RETURNING id
     )
     SELECT (SELECT count(*) FROM superseded) + (SELECT count(*) FROM requeued) AS n`,
  );
  const n = Number(rows[0]?.n ?? 0);
  if (n > 0) await db.query(`SELECT pg_notify('${JOBS_CHANNEL}', '')`);
  return n;
}
