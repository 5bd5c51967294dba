import type { Command } from 'commander';
import { runForcedPersonJob } from '../forcedPersonJob';
import { withContext } from '../withContext';

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
          const { personId, job } = await runForcedPersonJob(ctx, person, { command: 'rebuild', json: !!opts.json });
          if (opts.json) return;
          if (job.state === 'done') {
            const r = job.result as {
              outcome: string;
              written: { creates: number; updates: number; deletes: number };
              eventCount: number;
            };
            process.stdout.write(
              `person ${personId}: ${r.outcome}; created ${r.written.creates}, updated ${r.written.updates}, ` +
                `deleted ${r.written.deletes}; ${r.eventCount} kada events\n`,
            );
          } else
            process.stdout.write(
              `person ${personId}: job ${job.id} ${job.state}${job.lastError ? `: ${job.lastError}` : ''}\n`,
            );
        },
        { quiet: !!opts.json },
      );
    });
}
