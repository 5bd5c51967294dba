import type { AppContext } from '../src/app/context';
import { personJobHandler } from '../src/app/jobHandler';
import { isTransient } from '../src/sync/errors';
import { enqueuePersons } from '../src/jobs/enqueue';
import { PRIORITY } from '../src/jobs/types';
import { JobWakeup } from '../src/jobs/wakeup';
import { WorkerPool } from '../src/jobs/workerPool';
import type { Queryable } from '../src/store/queryable';

/**
 * kada's real job path, as `kada run` drives it: persons are queued with enqueuePersons, and a
 * WorkerPool (KADA_WORKERS loops, LISTEN/NOTIFY wake-up) runs personJobHandler on each. The run
 * ends when the queue holds nothing queued or running.
 */
export interface JobRunResult {
  ms: number;
  jobs: { done: number; failed: number };
  failures: string[];
}

export class BenchWorkers {
  private readonly wakeup: JobWakeup;
  readonly pool: WorkerPool;

  constructor(readonly ctx: AppContext) {
    this.wakeup = new JobWakeup(ctx.config.databaseUrl, ctx.logger);
    this.pool = new WorkerPool({
      db: ctx.db,
      wakeup: this.wakeup,
      concurrency: ctx.config.workers,
      handler: personJobHandler(ctx),
      isTransient,
      // A retry would hide a real failure behind a long backoff; the bench reports failures instead.
      retryDelayMs: () => 500,
      pollMs: 500,
      logger: ctx.logger,
    });
  }

  async start(): Promise<void> {
    await this.wakeup.start();
    this.pool.start();
  }

  async stop(): Promise<void> {
    await this.pool.stop(5_000);
    await this.wakeup.stop();
  }
}

export async function pendingJobs(db: Queryable): Promise<number> {
  const rows = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE state IN ('queued', 'running')`);
  return rows[0].n;
}

/** Waits until no job is queued or running; polls every `pollMs`. */
export async function drained(db: Queryable, pollMs = 10, timeoutMs = 3_600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await pendingJobs(db)) > 0) {
    if (Date.now() > deadline) throw new Error('benchmark jobs did not finish in time');
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function finishedSince(db: Queryable, sinceId: number) {
  const rows: { state: string; n: number }[] = await db.query(
    `SELECT state, count(*)::int AS n FROM jobs WHERE id > $1 AND superseded_by IS NULL GROUP BY state`,
    [sinceId],
  );
  const failures: { last_error: string }[] = await db.query(
    `SELECT last_error FROM jobs WHERE id > $1 AND state = 'failed' LIMIT 5`,
    [sinceId],
  );
  return {
    done: rows.find((r) => r.state === 'done')?.n ?? 0,
    failed: rows.find((r) => r.state === 'failed')?.n ?? 0,
    failures: failures.map((f) => f.last_error),
  };
}

export async function lastJobId(db: Queryable): Promise<number> {
  const rows = await db.query(`SELECT coalesce(max(id), 0)::bigint AS id FROM jobs`);
  return Number(rows[0].id);
}

/**
 * Queues `personIds` and runs them to the end with a fresh pool on `ctx`; the clock covers enqueue to last job
 * done.
 */
export async function runPersonJobs(ctx: AppContext, personIds: string[], reason: string): Promise<JobRunResult> {
  const workers = new BenchWorkers(ctx);
  await workers.start();
  try {
    const since = await lastJobId(ctx.db);
    const t0 = performance.now();
    await enqueuePersons(ctx.db, personIds, { reason, priority: PRIORITY.notification });
    await drained(ctx.db);
    const ms = performance.now() - t0;
    const f = await finishedSince(ctx.db, since);
    return { ms, jobs: { done: f.done, failed: f.failed }, failures: f.failures };
  } finally {
    await workers.stop();
  }
}
