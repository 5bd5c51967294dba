import type { Command } from 'commander';
import { syncPerson } from '../../sync/syncPerson';
import { printJson } from '../output';
import { auditedPerson } from '../audited';
import { withContext } from '../withContext';

/** `kada diff <person>`: what a rebuild would write, without writing anything. */
export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('dry run: print the creates/updates/deletes a rebuild would make')
    .argument('<person>', 'personlopenummer, username or e-mail')
    .option('--graph', 'compare with the events in Graph instead of the state store (reads the mailbox)')
    .option('--json', 'machine-readable output')
    .action(async (person: string, opts: { json?: boolean; graph?: boolean }) => {
      await withContext(
        async (ctx) => {
          const { personId, result: r } = await auditedPerson(ctx, 'diff', person, (id) =>
            syncPerson(ctx, id, { dryRun: true, mode: opts.graph ? 'reconcile' : 'sync', courseMaxAgeMs: 0 }),
          );
          if (opts.json) {
            printJson({
              personId,
              outcome: r.outcome,
              mailbox: r.mailbox,
              planned: r.planned,
              changes: r.changes,
              dataErrors: r.dataErrors,
            });
            return;
          }
          const out = [
            `person ${personId} (${r.mailbox ?? 'no mailbox'}): ${r.outcome}`,
            `${r.planned.creates} to create, ${r.planned.updates} to update, ${r.planned.deletes} to delete`,
          ];
          for (const c of r.changes)
            out.push(`  ${c.kind.padEnd(6)} ${c.start ? `${c.start}  ` : ''}${c.subject ?? c.key}`);
          for (const e of r.dataErrors) out.push(`  data error ${e.code}: ${e.message}`);
          process.stdout.write(`${out.join('\n')}\n`);
        },
        { quiet: true },
      );
    });
}
