#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config';
import { registerCommands } from './commands';
import { describeError } from '../jobs/describeError';
import { UsageError } from './usage';

/**
 * The `kada` CLI and container entrypoint. Exit codes per service.md: 0 success, 1 failure, 2 bad usage.
 */
export { UsageError };

export async function main(argv: string[]): Promise<number> {
  const program = new Command('kada')
    .description('Keeps Exchange calendars in step with the teaching timetable (FS + TP).')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`kada: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`kada: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`kada: ${describeError(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  // A .env file is read in development; real deployments set the environment.
  try {
    require('dotenv').config({ quiet: true });
  } catch {
    /* dotenv is optional at run time */
  }
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`kada: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
