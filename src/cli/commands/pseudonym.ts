import type { Command } from 'commander';
import { logKeyFrom, pseudonym } from '../../log/pseudonym';
import { printJson } from '../output';
import { UsageError } from '../usage';

/**
 * `kada pseudonym <value>`: what stands for a person number or e-mail address in info logs
 * (src/log/personalData.ts), so an operator can find one person's lines. Needs only the variables
 * the key comes from (KADA_LOG_KEY, else KADA_INSTITUTION, AZURE_TENANT_ID, AZURE_CLIENT_ID).
 */
export function registerPseudonym(program: Command): void {
  program
    .command('pseudonym <value>')
    .description('print the keyed hash that stands for a person number or e-mail in info logs')
    .option('--json', 'machine-readable output')
    .action((value: string, opts: { json?: boolean }) => {
      if (!value.trim()) throw new UsageError('a person number or e-mail address is required');
      const p = pseudonym(logKeyFrom(process.env), value);
      if (opts.json) printJson({ pseudonym: p });
      else process.stdout.write(`${p}\n`);
    });
}
