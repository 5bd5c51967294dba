import type { Command } from 'commander';
import { isPseudonym } from '../../log/pseudonym';
import { auditPseudonym, listAudit, type StoredAuditEntry } from '../../store/audit';
import { resolvePerson } from '../../sync/resolvePerson';
import { printJson } from '../output';
import { UnknownPersonError, UsageError } from '../usage';
import { withContext } from '../withContext';

/**
 * `kada audit [--person P] [--limit N] [--json]`: the audit trail, newest first, as GET /api/audit
 * answers it. `--person` takes a personlopenummer, username or e-mail, or the keyed hash
 * (`kada pseudonym <number>`) a forgotten person's entries keep.
 */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('who read or acted on whose data: the audit trail, newest first')
    .option('--person <person>', 'personlopenummer, username, e-mail or p:<keyed hash>')
    .option('--limit <n>', 'most entries to show (1-1000)', '100')
    .option('--json', 'machine-readable output: {"items": [...]}')
    .action(async (opts: { person?: string; limit: string; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!/^\d+$/.test(opts.limit) || limit < 1 || limit > 1000)
        throw new UsageError('--limit must be a whole number from 1 to 1000');
      if (opts.person !== undefined && !opts.person.trim()) throw new UsageError('--person is empty');
      await withContext(
        async (ctx) => {
          let persons: string[] | undefined;
          const q = opts.person?.trim();
          if (q && isPseudonym(q.toLowerCase())) persons = [q.toLowerCase()];
          else if (q) {
            const id = (await resolvePerson(ctx, q)) ?? (/^(\d{1,12}|tp:\S+)$/.test(q) ? q : null);
            if (!id) throw new UnknownPersonError(q, 'not known to kada or FS by number, username or e-mail');
            persons = [id, auditPseudonym(ctx.config.logKey, id)];
          }
          const items = await listAudit(ctx.db, { persons, limit });
          if (opts.json) return printJson({ items });
          process.stdout.write(formatAudit(items));
        },
        { quiet: !!opts.json },
      );
    });
}

function formatAudit(items: StoredAuditEntry[]): string {
  if (!items.length) return 'no audit entries\n';
  const lines = items.map(
    (e) => `${e.at}  ${e.outcome.padEnd(6)} ${e.action.padEnd(15)} ${(e.person ?? '-').padEnd(20)} ${e.actor}`,
  );
  return `${lines.join('\n')}\n`;
}
