import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/queryable';
import { describeError } from './describeError';
import { recordJobFailure } from './recordJobFailure';
import { completeJob, failJob, heartbeat } from './finishJob';
import { type EnqueueOptions, enqueuePerson } from './enqueue';
import { getJob } from './jobStatus';
import { claimJob } from './takeJob';
import type { Job } from './types';
import type { JobHooks } from './workerPool';

/**
 * Runs a queued job in this process if nobody else has taken it, else waits for whoever did.
 * Either way the caller sees progress and the final state: used by `kada rebuild` and
 * `kada reconcile`, so a CLI run and a `kada run` never process one person at the same time.
 */
export interface RunNowOptions {
  handler: (job: Job, hooks: JobHooks) => Promise<unknown>;
  isTransient: (err: unknown) => boolean;
  onProgress?: (p: { done: number; total: number }) => void;
  leaseMs?: number;
  /** The longest wait between looks at a job another process runs (they start at 25 ms and double). */
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Queues a job for one person and runs it here (`kada rebuild`, `kada reconcile`). The job is queued
 * without waking other processes: their idle loops would race this one for it, and whoever lost waited
 * for the winner (bench 16: reconcile --all beside three `kada run` took half a second a person). Should
 * this process die first, `kada run` finds the job on its next poll.
 */
export async function queueAndRunNow(
  db: Queryable,
  personId: string,
  queue: Omit<EnqueueOptions, 'notify'>,
  opts: RunNowOptions,
): Promise<Job> {
  const jobId = await enqueuePerson(db, personId, { ...queue, notify: false });
  return runJobNow(db, jobId, opts);
}

export async function runJobNow(db: Queryable, jobId: string, opts: RunNowOptions): Promise<Job> {
  const workerId = `${hostname()}:${process.pid}:cli-${randomBytes(3).toString('hex')}`;
  const leaseMs = opts.leaseMs ?? 60_000;
  const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
  let wait = Math.min(25, opts.pollMs ?? 500);
  for (;;) {
    const job = await claimJob(db, jobId, workerId, leaseMs);
    if (job) {
      let progress: { done: number; total: number } | undefined;
      const beat = setInterval(
        () => void heartbeat(db, job.id, workerId, leaseMs, progress).catch(() => undefined),
        1_000,
      );
      try {
        const result = await opts.handler(job, {
          progress: (p) => {
            progress = p;
            opts.onProgress?.(p);
          },
        });
        clearInterval(beat);
        await completeJob(db, job.id, workerId, result);
      } catch (err) {
        clearInterval(beat);
        const msg = describeError(err);
        // The CLI does not wait out a backoff: a transient failure is left queued for `kada run` to retry.
        const outcome = await failJob(db, job.id, workerId, msg, {
          transient: opts.isTransient(err),
          retryInMs: 30_000,
        });
        await recordJobFailure(db, job, msg, outcome);
      }
      return (await getJob(db, jobId))!;
    }
    const current = await getJob(db, jobId);
    if (!current) throw new Error(`job ${jobId} disappeared`);
    if (current.state === 'done' || current.state === 'failed') return current;
    if (current.state === 'queued' && current.attempts > 0 && current.lastError) return current; // waiting for a retry
    if (current.progress) opts.onProgress?.(current.progress);
    if (Date.now() > deadline) return current;
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(opts.pollMs ?? 500, wait * 2);
  }
}
