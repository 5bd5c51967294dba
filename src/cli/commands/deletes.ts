import type { Command } from 'commander';
import { assertMigrated } from '../../app/runService';
import { decideHeldDeletes, type HeldDeletesView, heldDeletesView } from '../../admin/safetyReport';
import { loadDatabaseUrl } from '../../config/config';
import { createDataSource } from '../../db/dataSource';
import { auditedRun } from '../audited';
import { printJson } from '../output';
import { UsageError } from '../usage';

/**
 * `kada deletes [--release | --drop] [--json]`: the deletions KADA_DELETE_GUARD holds; release them
 * (their persons' jobs are queued and execute them) or drop them (forgotten; the persons are checked
 * against the sources again). Needs only DATABASE_URL; a running `kada run` does the work.
 */
export function registerDeletes(program: Command): void {
  program
    .command('deletes')
    .description('show the deletions held by KADA_DELETE_GUARD; release them or drop them')
    .option('--release', 'execute the held deletions (their persons are synced again)')
    .option('--drop', 'forget the held deletions (their persons are checked against the sources again)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { release?: boolean; drop?: boolean; json?: boolean }) => {
      if (opts.release && opts.drop) throw new UsageError('--release and --drop exclude each other');
      const ds = createDataSource(loadDatabaseUrl(), { poolSize: 2 });
      await ds.initialize();
      try {
        await assertMigrated(ds);
        const action = opts.release ? 'release' : opts.drop ? 'drop' : null;
        if (action) {
          const { personIds, ...verdict } = await auditedRun(
            ds,
            action === 'release' ? 'release-deletes' : 'drop-deletes',
            [null],
            () => decideHeldDeletes(ds, action),
            // One entry per person whose calendar the decision touches, as the admin API writes.
            { okPersons: (r) => (r.personIds.length ? r.personIds : [null]) },
          );
          if (opts.json) printJson(verdict);
          else
            process.stdout.write(
              `${action === 'release' ? 'released' : 'dropped'} ${verdict.deletes} held deletion(s) of ` +
                `${verdict.persons} person(s); ${verdict.jobsQueued} job(s) queued for a running kada\n`,
            );
          return;
        }
        const view = await heldDeletesView(ds);
        if (opts.json) printJson(view);
        else process.stdout.write(formatHeld(view));
      } finally {
        await ds.destroy();
      }
    });
}

function formatHeld(v: HeldDeletesView): string {
  const released = v.released ? `, ${v.released} released and waiting for their jobs` : '';
  const lines = [
    `held          ${v.held} deletion(s) of ${v.persons} person(s)${released}`,
    `this hour     ${v.executedThisHour} source-removal deletion(s) executed`,
  ];
  for (const d of v.items.slice(0, 50))
    lines.push(`  ${d.heldAt.toISOString()} person ${d.personId} ${d.key}${d.releasedAt ? ' (released)' : ''}`);
  if (v.items.length > 50) lines.push(`  ... and ${v.items.length - 50} more (--json lists them all)`);
  if (v.held) lines.push('release them with `kada deletes --release`, or drop them with `kada deletes --drop`');
  return `${lines.join('\n')}\n`;
}
