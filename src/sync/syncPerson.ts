import { mailboxProblemOf } from '../graph/mailboxErrors';
import { applyPersonPlan } from './applyPersonPlan';
import { SyncError } from './errors';
import type { SyncContext, SyncOptions, SyncResult } from './personJob';
import { planPerson } from './planPerson';
import { readPerson } from './readPerson';

export type { PersonOutcome, PlannedChange, SyncContext, SyncOptions, SyncResult } from './personJob';

/**
 * One person's sync, the heart of kada, in three steps: read FS, TP and what kada wrote (the state
 * store, or in reconcile mode what Graph really holds); plan the difference (pure); apply it through
 * the shared GraphWriter, recording each answer as it comes.
 */
export async function syncPerson(ctx: SyncContext, personId: string, opts: SyncOptions = {}): Promise<SyncResult> {
  try {
    const reading = await readPerson(ctx, personId, opts);
    const plan = planPerson(reading, ctx.config);
    return await applyPersonPlan(ctx, plan, opts);
  } catch (err) {
    // A read or set-up call refused for the mailbox's sake: the same plain reason as a refused write.
    const problem = mailboxProblemOf(err);
    if (problem) throw new SyncError(problem.code, problem.message, false, personId);
    throw err;
  }
}
