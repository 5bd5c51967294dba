import type { Command } from 'commander';
import { forgetPerson } from '../../erasure/forgetPerson';
import { printJson } from '../output';
import { auditedPerson } from '../audited';
import { withContext } from '../withContext';

/**
 * `kada forget <person>`: kada's events leave the person's calendar, then every row naming them is
 * erased; prints the receipt. A person still registered in FS comes back with their next notification
 * unless opted out first (service.md).
 */
export function registerForget(program: Command): void {
  program
    .command('forget')
    .description("remove kada's events from the person's calendar, then erase every row that names the person")
    .argument('<person>', 'personlopenummer, username or e-mail')
    .option('--json', 'machine-readable output (the receipt)')
    .action(async (person: string, opts: { json?: boolean }) => {
      await withContext(
        async (ctx) => {
          const { personId, result: receipt } = await auditedPerson(ctx, 'forget', person, (id) =>
            forgetPerson(ctx, id),
          );
          if (opts.json) return printJson(receipt);
          const rows = Object.entries(receipt.rows)
            .filter(([, n]) => n > 0)
            .map(([table, n]) => `${table} ${n}`)
            .join(', ');
          process.stdout.write(
            `person ${personId} forgotten: ${receipt.calendar.eventsDeleted} kada event(s) removed from ` +
              `${receipt.calendar.mailboxes} mailbox(es); rows erased: ${rows || 'none'}\n`,
          );
        },
        { quiet: !!opts.json },
      );
    });
}
