import { applyPersonPlan } from './applyPersonPlan';
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
  const reading = await readPerson(ctx, personId, opts);
  const plan = planPerson(reading, ctx.config);
  return applyPersonPlan(ctx, plan, opts);
}
