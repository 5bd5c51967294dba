import type { Queryable } from '../store/queryable';
import { JOB_COLUMNS, type Job, jobFromRow, PRIORITY } from './types';

/** The SET list that starts a job, with the worker id and the lease (ms) as the given parameters. */
function startRunning(worker: string, leaseMs: string): string {
  return `state = 'running', locked_by = ${worker},
          locked_until = now() + make_interval(secs => ${leaseMs}::double precision / 1000),
          attempts = attempts + 1, started_at = now(), progress = NULL`;
}

const URGENT = ` AND j.priority >= ${PRIORITY.notification}`;

/**
 * The most urgent runnable job, locked (exported so a test can EXPLAIN it). `urgent`: only changes and
 * rebuilds, for the loops a pool keeps free of bulk work (their own partial index, jobs_urgent_idx).
 */
export const nextJob = (urgent = false) => `
            SELECT j.id FROM jobs j
             WHERE j.state = 'queued' AND j.run_at <= now()${urgent ? URGENT : ''}
               AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.person_id = j.person_id AND r.state = 'running')
               AND (j.priority >= ${PRIORITY.fill} OR NOT EXISTS (SELECT 1 FROM jobs f WHERE f.state = 'running'
                      AND f.priority >= ${PRIORITY.fill} AND f.priority < ${PRIORITY.notification} AND NOT f.force))
             ORDER BY j.rank_at, j.id
             FOR UPDATE SKIP LOCKED
             LIMIT 1`;

export const NEXT_JOB = nextJob();

/**
 * Takes the most urgent runnable job: the highest priority plus hours waited, i.e. the earliest rank_at
 * (db/migrations/0014), read from the jobs_rank_idx index. The later weeks of a fill wait while a fill's
 * first pass runs anywhere, so every person's next 14 days are written before anyone's later weeks. A
 * forced job of fill class (a reconcile walk) is not a first pass: it writes all weeks of one person, and
 * holding the later weeks back for it left the budget to the walk's few persons (bench 16).
 * SKIP LOCKED lets several kada processes take jobs at once; a person with a running job is skipped,
 * and the partial unique index on running jobs makes a lost race fail instead of running one person twice.
 */
export async function takeJob(db: Queryable, workerId: string, leaseMs: number, urgent = false): Promise<Job | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const rows = await db.query(
        // The CTE makes this a SELECT: TypeORM answers a bare UPDATE ... RETURNING with [rows, count].
        `WITH taken AS (
         UPDATE jobs SET ${startRunning('$1', '$2')}
          WHERE id = (${nextJob(urgent)})
          RETURNING ${JOB_COLUMNS})
         SELECT * FROM taken`,
        [workerId, leaseMs],
      );
      return rows[0] ? jobFromRow(rows[0]) : null;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') continue; // another process started this person first
      throw err;
    }
  }
  return null;
}

/**
 * Claims one specific queued job (the CLI runs the rebuild it just queued itself). Null when it
 * is not queued any more (a `kada run` took it) or the person is busy elsewhere.
 */
export async function claimJob(db: Queryable, jobId: string, workerId: string, leaseMs: number): Promise<Job | null> {
  try {
    const rows = await db.query(
      `WITH claimed AS (
       UPDATE jobs SET ${startRunning('$2', '$3')}
        WHERE id = $1 AND state = 'queued'
          AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.person_id = jobs.person_id AND r.state = 'running')
        RETURNING ${JOB_COLUMNS})
       SELECT * FROM claimed`,
      [jobId, workerId, leaseMs],
    );
    return rows[0] ? jobFromRow(rows[0]) : null;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return null;
    throw err;
  }
}
