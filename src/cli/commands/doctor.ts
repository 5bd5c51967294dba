import type { Command } from 'commander';
import { formatReport } from '../../doctor/formatReport';
import { runDoctor } from '../../doctor/runDoctor';
import { printJson } from '../output';
import { UsageError } from '../usage';

/**
 * `kada doctor [--mailbox <address>]`: what an operator runs before the first fill. Exit 0 when
 * every required check passed, 1 otherwise; an invalid configuration is a failed line, not a crash.
 */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check configuration, database, broker, TP, FS, the Graph token and (with --mailbox) a round trip in a mailbox',
    )
    .option('--mailbox <address>', 'also create, read back and delete one test event in this mailbox')
    .option('--json', 'machine-readable output')
    .action(async (opts: { mailbox?: string; json?: boolean }) => {
      if (opts.mailbox !== undefined && !/^[^@\s]+@[^@\s]+$/.test(opts.mailbox))
        throw new UsageError(`--mailbox needs an e-mail address, not ${JSON.stringify(opts.mailbox)}`);
      const report = await runDoctor(process.env, { mailbox: opts.mailbox });
      if (opts.json) printJson(report);
      else process.stdout.write(formatReport(report, process.stdout.isTTY === true && !process.env.NO_COLOR));
      process.exitCode = report.ok ? 0 : 1;
    });
}
