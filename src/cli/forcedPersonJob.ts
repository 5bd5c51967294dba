import type { AppContext } from '../app/context';
import { personJobHandler } from '../app/jobHandler';
import { isTransient } from '../sync/errors';
import { queueAndRunNow } from '../jobs/runJobNow';
import { type Job, PRIORITY } from '../jobs/types';
import { printJson, progressBar } from './output';
import { auditedPerson } from './audited';
import { personOrFail } from './withContext';

/**
 * A forced job for one person through the job queue (so it never runs beside a `kada run` working
 * on the same person), run here and now unless a worker already took it: `kada rebuild` and
 * `kada reconcile --person`. Prints the job with --json and sets a failing exit code unless it is
 * done; the command prints its own text otherwise.
 */
export async function runForcedPersonJob(
  ctx: AppContext,
  person: string,
  opts: { command: 'rebuild' | 'reconcile'; json: boolean },
): Promise<{ personId: string; job: Job }> {
  const run = async (personId: string) => {
    const bar = progressBar(!opts.json, `${opts.command} ${personId}`);
    const job = await queueAndRunNow(
      ctx.db,
      personId,
      { priority: PRIORITY.forced, force: true, reason: `cli ${opts.command}` },
      { handler: personJobHandler(ctx), isTransient, onProgress: bar.update },
    );
    bar.stop();
    return job;
  };
  // A rebuild is an audited action (service.md); reconcile is routine drift repair, like the CronJob's.
  const { personId, result: job } =
    opts.command === 'rebuild'
      ? await auditedPerson(ctx, 'rebuild', person, run, (j) => (j.state === 'done' ? 'ok' : 'error'))
      : await personOrFail(ctx, person).then(async (id) => ({ personId: id, result: await run(id) }));
  if (opts.json) printJson({ jobId: job.id, personId, state: job.state, result: job.result, error: job.lastError });
  if (job.state !== 'done') process.exitCode = 1;
  return { personId, job };
}
