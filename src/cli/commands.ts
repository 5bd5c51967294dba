import type { Command } from 'commander';
import { registerDeletes } from './commands/deletes';
import { registerDiff } from './commands/diff';
import { registerDoctor } from './commands/doctor';
import { registerEnqueueCourse } from './commands/enqueueCourse';
import { registerForget } from './commands/forget';
import { registerMigrate } from './commands/migrate';
import { registerPseudonym } from './commands/pseudonym';
import { registerPrune } from './commands/prune';
import { registerRebuild } from './commands/rebuild';
import { registerReconcile } from './commands/reconcile';
import { registerRooms } from './commands/rooms';
import { registerRun } from './commands/run';
import { registerStatus } from './commands/status';

/**
 * Every CLI command, one file each under commands/. Each loads and validates the config itself,
 * so `--help` needs no environment.
 */
export function registerCommands(program: Command): void {
  registerMigrate(program);
  registerRebuild(program);
  registerDiff(program);
  registerReconcile(program);
  registerStatus(program);
  registerRun(program);
  registerEnqueueCourse(program);
  registerDoctor(program);
  registerPseudonym(program);
  registerForget(program);
  registerPrune(program);
  registerDeletes(program);
  registerRooms(program);
}
