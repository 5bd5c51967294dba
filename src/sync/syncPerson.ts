import { mailboxProblemOf } from '../graph/mailboxErrors';
import { applyPersonPlan } from './applyPersonPlan';
import { CalendarLostError, recoverCalendar } from './calendarRecovery';
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
    return await syncOnce(ctx, personId, opts);
  } catch (err) {
    // A dedicated calendar the person deleted: made again and the person re-filled, once per job.
    if (err instanceof CalendarLostError && (await recoverCalendar(ctx, personId, err, opts)))
      return translated(personId, () => syncOnce(ctx, personId, opts));
    throw translate(personId, err);
  }
}

async function syncOnce(ctx: SyncContext, personId: string, opts: SyncOptions): Promise<SyncResult> {
  const reading = await readPerson(ctx, personId, opts);
  // Writes go nearest first in every job; only the jobs the order of work names also split.
  const order = {
    now: ctx.now?.() ?? new Date(),
    split: opts.nearTermFirst === true && !opts.dryRun,
    priority: opts.priority ?? 0,
  };
  const plan = planPerson(reading, ctx.config, order);
  return applyPersonPlan(ctx, plan, opts);
}

async function translated<T>(personId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translate(personId, err);
  }
}

/** A read or set-up call refused for the mailbox's sake: the same plain reason as a refused write. */
function translate(personId: string, err: unknown): unknown {
  const problem = mailboxProblemOf(err);
  if (problem) return new SyncError(problem.code, problem.message, false, personId);
  if (err instanceof CalendarLostError)
    return new SyncError('CALENDAR_LOST', `${err.message}; the job will be retried`, true, personId);
  return err;
}
