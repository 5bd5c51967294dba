import type { Command } from 'commander';
import { personJobHandler } from '../../app/jobHandler';
import { isTransient } from '../../sync/errors';
import { enqueuePerson } from '../../jobs/enqueue';
import { runJobNow } from '../../jobs/runJobNow';
import { PRIORITY } from '../../jobs/types';
import { printJson, progressBar } from '../output';
import { personOrFail, withContext } from '../withContext';

/**
 * `kada rebuild <person>`: a forced rebuild through the job queue (so it never runs beside a
 * `kada run` working on the same person), run here and now unless a worker already took it.
 */
export function registerRebuild(program: Command): void {
  program
    .command('rebuild')
    .description('full rebuild of one person: re-read sources and their kada events in Graph, repair everything')
    .argument('<person>', 'personlopenummer, username or e-mail')
    .option('--json', 'machine-readable output')
    .action(async (person: string, opts: { json?: boolean }) => {
      await withContext(
        async (ctx) => {
          const personId = await personOrFail(ctx, person);
          const jobId = await enqueuePerson(ctx.db, personId, {
            priority: PRIORITY.forced,
            force: true,
            reason: 'cli rebuild',
          });
          const bar = progressBar(!opts.json, `rebuild ${personId}`);
          const job = await runJobNow(ctx.db, jobId, {
            handler: personJobHandler(ctx),
            isTransient,
            onProgress: bar.update,
          });
          bar.stop();
          if (opts.json)
            printJson({ jobId: job.id, personId, state: job.state, result: job.result, error: job.lastError });
          else if (job.state === 'done') {
            const r = job.result as {
              outcome: string;
              written: { creates: number; updates: number; deletes: number };
              eventCount: number;
            };
            process.stdout.write(
              `person ${personId}: ${r.outcome}; created ${r.written.creates}, updated ${r.written.updates}, deleted ${r.written.deletes}; ${r.eventCount} kada events\n`,
            );
          } else
            process.stdout.write(
              `person ${personId}: job ${job.id} ${job.state}${job.lastError ? `: ${job.lastError}` : ''}\n`,
            );
          if (job.state !== 'done') process.exitCode = 1;
        },
        { quiet: !!opts.json },
      );
    });
}
