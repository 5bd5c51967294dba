import type { Command } from 'commander';
import { pruneExpired } from '../../erasure/retention';
import { printJson } from '../output';
import { withContext } from '../withContext';

/**
 * `kada prune`: one retention pass now (KADA_RETENTION_DAYS), as `kada run` does hourly; for an
 * installation that wants it in its nightly CronJob or runs no `kada run` for a while.
 */
export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('erase persons gone from FS longer than KADA_RETENTION_DAYS; prune old errors, dead letters, inbox')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withContext(
        async (ctx) => {
          const r = await pruneExpired(ctx, ctx.config.retentionDays, {
            semesters: ctx.config.semesters,
            auditRetentionDays: ctx.config.auditRetentionDays,
            pseudonymKey: ctx.config.logKey,
          });
          if (opts.json) return printJson(r);
          if (r.skipped) {
            process.stdout.write('another kada process is pruning right now; nothing done\n');
            return;
          }
          process.stdout.write(
            `retention ${r.retentionDays} days: ${r.personsErased} gone person(s) erased; ` +
              `pruned ${r.errors} error(s), ` +
              `${r.inbox} inbox row(s), ${r.jobs} job(s), ${r.reconcileRuns} reconcile run(s), ` +
              `${r.tpCourses} TP course copy(ies) of past semesters; ` +
              `${r.audit} audit entr(ies) older than ${ctx.config.auditRetentionDays} days\n`,
          );
        },
        { quiet: !!opts.json },
      );
    });
}
