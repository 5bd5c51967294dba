import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import type { Queryable } from '../store/queryable';
import { describeError } from './describeError';
import { recordJobFailure } from './recordJobFailure';
import { completeJob, failJob, heartbeat, reclaimExpired } from './finishJob';
import { jobCounts, pruneJobs } from './jobStatus';
import { jobRetryDelay } from './retryDelay';
import { takeJob } from './takeJob';
import type { Job } from './types';
import type { JobWakeup } from './wakeup';

export interface JobHooks {
  progress(p: { done: number; total: number }): void;
}

export interface WorkerPoolOptions {
  db: Queryable;
  wakeup?: JobWakeup;
  concurrency: number;
  handler: (job: Job, hooks: JobHooks) => Promise<unknown>;
  /** Transient failures are retried with backoff; others fail the job at once. */
  isTransient: (err: unknown) => boolean;
  retryDelayMs?: (attempt: number) => number;
  leaseMs?: number;
  pollMs?: number;
  logger: Logger;
  metrics?: Metrics;
  workerId?: string;
}

/**
 * `concurrency` loops that take jobs from Postgres and run them; any number of kada processes can
 * run a pool against the same database. Leases are renewed while a job runs; a process that dies
 * leaves leases that expire, and any pool puts those jobs back (reclaimExpired).
 */
export class WorkerPool {
  readonly workerId: string;
  private running = false;
  private loops: Promise<void>[] = [];
  private waiters = new Set<() => void>();
  private inFlight = new Map<string, Job>();
  private maintenance: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  /**
   * Half the loops (from 4 up) take only changes and rebuilds, so a change never waits for a fill's long
   * jobs to free a loop (service.md: a change lands within seconds while a fill keeps Graph busy). A course
   * change queues a job for each of its students, so a quarter was too few (bench 20: 2-10 s to start);
   * the other half still queues far more writes than Graph's 4 slots take.
   */
  private readonly urgentLoops: number;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.urgentLoops = opts.concurrency >= 4 ? Math.floor(opts.concurrency / 2) : 0;
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 2_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.opts.wakeup?.onWake(() => this.wakeAll()) ?? null;
    for (let i = 0; i < this.opts.concurrency; i++) this.loops.push(this.loop(i));
    this.maintenance = setInterval(() => void this.maintain(), Math.max(1_000, Math.floor(this.leaseMs / 3)));
    this.maintenance.unref();
    void this.maintain();
  }

  /** Stops taking jobs and waits up to `graceMs` for running ones; the rest are released to the queue. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    if (this.maintenance) clearInterval(this.maintenance);
    this.wakeAll();
    const all = Promise.all(this.loops);
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
    ]);
    if (timedOut && this.inFlight.size) {
      const ids = [...this.inFlight.keys()];
      await this.opts.db.query(
        `UPDATE jobs SET state = 'queued', run_at = now(), locked_by = NULL, locked_until = NULL, attempts =
           greatest(0, attempts - 1),
                force = true, reasons = (ARRAY['released at shutdown'] || reasons)[1:10]
          WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND state = 'running'
            AND NOT EXISTS (SELECT 1 FROM jobs q WHERE q.person_id = jobs.person_id AND q.state = 'queued')`,
        [ids, this.workerId],
      );
      this.opts.logger.warn({ jobs: ids }, 'released unfinished jobs at shutdown');
    }
    this.loops = [];
  }

  /** Wakes idle loops now (a job was queued in this process). */
  wakeAll(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async loop(index: number): Promise<void> {
    while (this.running) {
      let job: Job | null = null;
      try {
        job = await takeJob(this.opts.db, this.workerId, this.leaseMs, index < this.urgentLoops);
      } catch (err) {
        this.opts.logger.warn({ worker: index, error: (err as Error).message }, 'could not take a job; retrying');
        await this.sleep(this.pollMs);
        continue;
      }
      if (!job) {
        await this.sleep(this.pollMs);
        continue;
      }
      await this.run(job);
    }
  }

  private async run(job: Job): Promise<void> {
    const log = this.opts.logger.child({ jobId: job.id, personId: job.personId });
    this.inFlight.set(job.id, job);
    let progress: { done: number; total: number } | undefined;
    let progressDirty = false;
    const beat = setInterval(
      () => {
        void heartbeat(this.opts.db, job.id, this.workerId, this.leaseMs, progressDirty ? progress : undefined).catch(
          () => undefined,
        );
        progressDirty = false;
      },
      Math.min(Math.floor(this.leaseMs / 3), 1_000),
    );
    beat.unref();
    const started = Date.now();
    try {
      const result = await this.opts.handler(job, {
        progress: (p) => {
          progress = p;
          progressDirty = true;
        },
      });
      clearInterval(beat);
      await completeJob(this.opts.db, job.id, this.workerId, result);
      this.opts.metrics?.jobsFinished.inc({ outcome: 'done' });
      this.opts.metrics?.syncLatency.observe((Date.now() - started) / 1000);
      this.opts.metrics?.notificationLatency.observe((Date.now() - job.createdAt.getTime()) / 1000);
    } catch (err) {
      clearInterval(beat);
      const transient = this.opts.isTransient(err);
      const message = describeError(err);
      const outcome = await failJob(this.opts.db, job.id, this.workerId, message, {
        transient,
        retryInMs: (this.opts.retryDelayMs ?? jobRetryDelay)(job.attempts),
      }).catch((e) => {
        log.error(
          { error: (e as Error).message },
          'could not record the job failure; its lease will expire and it will be retried',
        );
        return 'unrecorded' as const;
      });
      if (outcome !== 'unrecorded') await recordJobFailure(this.opts.db, job, message, outcome).catch(() => undefined);
      this.opts.metrics?.jobsFinished.inc({ outcome: outcome === 'failed' ? 'failed' : 'retry' });
      log[outcome === 'failed' ? 'error' : 'warn'](
        { error: message, transient, outcome, attempts: job.attempts },
        'job failed',
      );
    } finally {
      clearInterval(beat);
      this.inFlight.delete(job.id);
    }
  }

  private async maintain(): Promise<void> {
    try {
      const n = await reclaimExpired(this.opts.db);
      if (n) this.opts.logger.warn({ jobs: n }, 'requeued jobs of a worker that died');
      if (Math.random() < 0.01) await pruneJobs(this.opts.db);
      if (this.opts.metrics) {
        const counts = await jobCounts(this.opts.db);
        for (const [state, n2] of Object.entries(counts)) this.opts.metrics.jobsByState.set({ state }, n2);
      }
    } catch (err) {
      this.opts.logger.warn({ error: (err as Error).message }, 'job maintenance failed; will try again');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref?.();
      const waiter = () => done();
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.add(waiter);
      if (!this.running) done();
    });
  }
}
