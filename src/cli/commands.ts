import type { Command } from 'commander';
import { registerMigrate } from './commands/migrate';

/**
 * Every CLI command, one file each under commands/. Each loads and validates the config itself,
 * so `--help` needs no environment.
 */
export function registerCommands(program: Command): void {
  registerMigrate(program);
}
