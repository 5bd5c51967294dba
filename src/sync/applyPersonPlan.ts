import { parseExceptionKey } from '../desired/series';
import { mailboxProblem } from '../graph/mailboxErrors';
import { enqueuePerson } from '../jobs/enqueue';
import { createCalendar, ensureCategory } from '../graph/mailboxSetup';
import type { Logger } from '../log/logger';
import { recordError } from '../store/errors';
import { type MailboxSetup, saveMailboxSetup } from '../store/mailboxes';
import { markGone, recordSyncOutcome, upsertPerson } from '../store/persons';
import { forgetEvent, loadState, saveEvent } from '../store/syncedEvents';
import { CalendarLostError } from './calendarRecovery';
import { guardDeletes } from './deleteGuard';
import { SyncError } from './errors';
import type { PersonPlan, SetupPlan, SyncContext, SyncOptions, SyncResult } from './personJob';
import { REPLACE_SERIES } from './seriesExceptions';
import { writeOps } from './writeOps';
import { writeSeriesPhase } from './writeSeriesPhase';

/**
 * The write of a person job: the plan through the shared GraphWriter, each answer recorded in the
 * state store as it comes. The order matters: unrecorded events of a previous mailbox go before the
 * persons row names the new one (a failure throws first, so the retry still knows the old mailbox),
 * the mailbox is set up before the first create, and the store adopts what Graph holds before repairs.
 */
export async function applyPersonPlan(ctx: SyncContext, plan: PersonPlan, opts: SyncOptions): Promise<SyncResult> {
  const log = ctx.logger.child({ personId: plan.personId, ...(opts.jobId ? { jobId: opts.jobId } : {}) });
  const priority = opts.priority ?? 0;
  if (!opts.dryRun) await saveWhoTheyAre(ctx, plan, opts);
  if (plan.outcome === 'gone')
    log.info({ events: plan.stored.length }, 'person no longer in FS: removing their kada events');
  if (plan.outcome === 'no_mailbox') log.warn('person has no mailbox: skipped');
  if (plan.outcome === 'gone_pending')
    log.warn('FS says the person is gone: nothing removed until a second answer confirms it');
  if (opts.dryRun) return plan.result;

  const { calendarId, refusal } = plan.setup
    ? await setUpMailbox(ctx, plan.setup, priority, log)
    : { calendarId: null, refusal: null };
  if (plan.adopt) {
    for (const key of plan.adopt.forget) await forgetEvent(ctx.db, plan.personId, key);
    for (const e of plan.adopt.save) await saveEvent(ctx.db, plan.personId, e);
  }
  const result: SyncResult = { ...plan.result, written: { creates: 0, updates: 0, deletes: 0 }, failed: [] };
  const total = plan.ops.length + plan.series.exceptions.length;
  let done = 0;
  const progress = () => opts.onProgress?.({ done: ++done, total });
  opts.onProgress?.({ done: 0, total });
  const ops = await guardDeletes(
    ctx,
    plan.personId,
    plan.ops.map((op) => (op.kind === 'create' ? { ...op, calendarId } : op)),
    opts,
  );
  const job = { personId: plan.personId, priority, calendarId, result, progress };
  await writeOps(ctx, job, ops);
  const lost = (f: SyncResult['failed'][number]) =>
    f.kind === 'create' && f.status === 404 && !mailboxProblem(404, f.code);
  if (plan.setup?.dedicated && calendarId && plan.mailbox && result.failed.some(lost))
    throw new CalendarLostError(plan.mailbox, calendarId);
  await writeSeriesPhase(ctx, job, { mailbox: plan.mailbox, series: plan.series, stored: plan.stored });
  // A 403 on the calendar too means the whole mailbox is refused (access policy), not just the colour step.
  if (refusal && !result.failed.some((f) => f.status === 403)) await saveMailboxSetup(ctx.db, refusal.mailbox, refusal);
  const outcome = await recordOutcome(ctx, plan, result, opts, log);
  if (plan.deferred) {
    // The later weeks, after everyone's next 14 days (service.md "Order of work"); a failed job's retry
    // plans them again instead.
    await enqueuePerson(ctx.db, plan.personId, {
      priority: plan.deferred.priority,
      reason: `later weeks: ${plan.deferred.creates} event(s) after the next 14 days`,
    });
    outcome.deferred = plan.deferred.creates;
  }
  return outcome;
}

/**
 * Unrecorded events of the previous mailbox are removed before the person's record is saved: once it
 * names the new mailbox (or none), nobody would look in the old one again.
 */
async function saveWhoTheyAre(ctx: SyncContext, plan: PersonPlan, opts: SyncOptions): Promise<void> {
  const { db } = ctx;
  const failed = (await ctx.writer.writeAll(plan.orphans, opts.priority ?? 0)).filter((r) => !r.ok).length;
  if (failed) {
    throw new SyncError(
      'GRAPH_UNAVAILABLE',
      `${failed} unrecorded kada event(s) in the previous mailbox could not be removed; the job will be retried`,
      true,
      plan.personId,
    );
  }
  const record = plan.record;
  if (record?.status === 'gone') await markGone(db, plan.personId);
  else if (record) await upsertPerson(db, record.person, record.mailbox, record.status);
  if (plan.noMailboxError) {
    await recordError(db, { ...plan.noMailboxError, jobId: opts.jobId });
    ctx.metrics?.dataErrors.inc({ code: plan.noMailboxError.code });
  }
}

/**
 * kada's category and, in the dedicated mode, its calendar. Returns the calendar creates go into, and a
 * refused category step to remember once the mailbox has taken the writes.
 */
async function setUpMailbox(
  ctx: SyncContext,
  setup: SetupPlan,
  priority: number,
  log: Logger,
): Promise<{ calendarId: string | null; refusal: (MailboxSetup & { mailbox: string }) | null }> {
  let calendarId = setup.calendarId;
  let category = setup.categoryKept;
  if (setup.category) {
    const outcome = await ensureCategory(ctx.writer, setup.mailbox, setup.category, priority);
    category = { ensured: outcome === 'ensured', denied: outcome === 'denied' };
    if (outcome === 'denied')
      log.info('category colour step not permitted (403, no MailboxSettings permission): skipped for this mailbox');
  }
  if (setup.createCalendar)
    calendarId = await createCalendar(ctx.writer, setup.mailbox, setup.createCalendar, priority);
  // A refusal met now is saved only after the writes (see applyPersonPlan); one stored before is kept.
  const refusedNow = !!setup.category && category.denied;
  const saved = { calendarId, categoryEnsured: category.ensured, categoryDenied: category.denied && !refusedNow };
  if (setup.save) await saveMailboxSetup(ctx.db, setup.mailbox, saved);
  return {
    calendarId: setup.dedicated ? calendarId : null,
    refusal: refusedNow ? { ...saved, categoryDenied: true, mailbox: setup.mailbox } : null,
  };
}

/** The person's record and error log after the writes; a write that may pass on a retry fails the job. */
async function recordOutcome(
  ctx: SyncContext,
  plan: PersonPlan,
  result: SyncResult,
  opts: SyncOptions,
  log: Logger,
): Promise<SyncResult> {
  const { db } = ctx;
  const { personId, mailbox } = plan;
  const after = await loadState(db, personId);
  // Exceptions are weeks of a series, not events of their own.
  const events = after.filter((s) => !parseExceptionKey(s.key)).length;
  result.eventCount = events;
  // A series marked for replacement is written again as a whole by the retry.
  const transient = result.failed.filter(
    (f) =>
      f.code === 'GRAPH_RETRIES_EXHAUSTED' ||
      f.status === 0 ||
      f.status >= 500 ||
      f.status === 429 ||
      after.some((s) => s.hash === REPLACE_SERIES),
  );
  // The tenant keeps kada out of the mailbox, or there is none: one reason, not a row per write; not transient.
  const problem = result.failed.map((f) => mailboxProblem(f.status, f.code)).find((p) => p !== null);
  if (problem) {
    await recordSyncOutcome(db, personId, { eventCount: events, error: problem.message });
    log.warn({ code: problem.code, failed: result.failed.length }, 'person not synced: mailbox unreachable');
    throw new SyncError(problem.code, problem.message, false, personId);
  }
  for (const f of result.failed.slice(0, 20)) {
    await recordError(db, {
      kind: 'graph',
      code: `GRAPH_${f.kind.toUpperCase()}_FAILED`,
      message: `${f.kind} of ${f.key} in ${mailbox ?? 'mailbox'} failed: ${f.status} ${f.code}: ${f.message}`,
      personId,
      jobId: opts.jobId,
      details: { status: f.status, code: f.code, key: f.key },
    });
  }
  const error = result.failed.length
    ? `${result.failed.length} Graph write(s) failed, first: ${result.failed[0]!.code} ${result.failed[0]!.message}`
    : null;
  await recordSyncOutcome(db, personId, { eventCount: events, error });
  log.info(
    { outcome: plan.outcome, mailbox, ...result.written, failed: result.failed.length, events },
    'person synced',
  );
  if (transient.length) {
    throw new SyncError(
      'GRAPH_UNAVAILABLE',
      `${transient.length} Graph write(s) did not go through after retries; the job will be retried`,
      true,
      personId,
    );
  }
  return result;
}
