import type { Queryable } from '../store/queryable';
import { JOB_COLUMNS, type Job, type JobState, jobFromRow, PRIORITY, type PriorityClass } from './types';

/** A job as the admin sees it; a merged retry is followed to the job that carries it on. */
export async function getJob(db: Queryable, jobId: string): Promise<Job | null> {
  if (!/^\d{1,18}$/.test(jobId)) return null;
  let id = jobId;
  for (let hops = 0; hops < 10; hops++) {
    const rows = await db.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    const job = jobFromRow(rows[0]);
    if (!job.supersededBy) return hops === 0 ? job : { ...job, id: jobId, supersededBy: job.id };
    id = job.supersededBy;
  }
  return null;
}

export async function jobCounts(db: Queryable): Promise<Record<JobState, number>> {
  const rows: { state: JobState; n: number }[] = await db.query(
    `SELECT state, count(*)::int AS n FROM jobs GROUP BY state`,
  );
  const out: Record<JobState, number> = { queued: 0, running: 0, done: 0, failed: 0 };
  for (const r of rows) out[r.state] = r.n;
  return out;
}

/** Queued jobs per priority class (the class of the stored priority, before aging). */
export async function queuedByPriority(db: Queryable): Promise<Record<PriorityClass, number>> {
  const rows: { c: PriorityClass; n: number }[] = await db.query(
    `SELECT CASE WHEN priority >= $1 THEN 'rebuild' WHEN priority >= $2 THEN 'nearChange'
                 WHEN priority >= $3 THEN 'change' WHEN priority >= $4 THEN 'fill' ELSE 'fillRest' END AS c,
            count(*)::int AS n
       FROM jobs WHERE state = 'queued' GROUP BY 1`,
    [PRIORITY.forced, PRIORITY.nearChange, PRIORITY.notification, PRIORITY.fill],
  );
  const out: Record<PriorityClass, number> = { rebuild: 0, nearChange: 0, change: 0, fill: 0, fillRest: 0 };
  for (const r of rows) out[r.c] = r.n;
  return out;
}

export async function recentJobs(
  db: Queryable,
  opts: { personId?: string; state?: JobState; limit?: number } = {},
): Promise<Job[]> {
  const rows = await db.query(
    `SELECT ${JOB_COLUMNS} FROM jobs WHERE ($1::text IS NULL OR person_id = $1) AND ($2::text IS NULL OR state = $2)
      ORDER BY id DESC LIMIT $3`,
    [opts.personId ?? null, opts.state ?? null, Math.min(opts.limit ?? 50, 500)],
  );
  return rows.map(jobFromRow);
}

/** Finished jobs are kept a week for the admin, then removed so the table stays small. */
export async function pruneJobs(db: Queryable, olderThanDays = 7): Promise<number> {
  const rows = await db.query(
    `WITH d AS (DELETE FROM jobs WHERE state IN ('done','failed') AND finished_at < now() - make_interval(days => $1)
       RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
    [olderThanDays],
  );
  return rows[0].n;
}
