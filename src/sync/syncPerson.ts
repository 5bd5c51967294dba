import type { Config } from '../config/config';
import { parseEventKey } from '../desired/eventKey';
import { desiredEvents } from '../desired/desiredEvents';
import { diff } from '../diff/diff';
import { planSeries, type ExceptionWrite } from '../diff/seriesPlan';
import { parseExceptionKey } from '../desired/series';
import type {
  CourseRef,
  DataError,
  DesiredEvent,
  Registration,
  SyncPlan,
  SyncedEvent,
  TeachingRole,
} from '../domain/types';
import { courseKey } from '../domain/types';
import { ensureCalendar, ensureCategory } from '../graph/mailboxSetup';
import { listKadaEvents } from '../graph/readBack';
import type { GraphWrite, GraphWriter, GraphWriteResult } from '../graph/writer';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import { fingerprint } from '../desired/fingerprint';
import { recordError } from '../store/errors';
import { getMailboxSetup, saveMailboxSetup } from '../store/mailboxes';
import { coursesNamingStaff } from '../store/courses';
import { getPerson, mailboxTakenByOther, markGone, recordSyncOutcome, upsertPerson } from '../store/persons';
import type { Queryable } from '../store/queryable';
import { forgetEvent, loadState, saveEvent, type StoredEvent } from '../store/syncedEvents';
import { SyncError } from './errors';
import { graphBody } from './graphBody';
import { loadCourses } from './loadCourses';
import { mailboxOf } from './mailbox';
import { observeExceptions, REPLACE_SERIES, writeExceptions } from './seriesExceptions';
import type { FsSource, TpSource } from '../domain/ports';

/**
 * One person's sync, the heart of kada: read FS and TP, compute the desired events (pure), compare
 * with what kada wrote (the state store, or in reconcile mode what Graph really holds), and write
 * the difference through the shared GraphWriter, recording each answer as it comes.
 */

export interface SyncContext {
  db: Queryable;
  tp: TpSource;
  fs: FsSource;
  writer: GraphWriter;
  config: Config;
  logger: Logger;
  metrics?: Metrics;
}

export interface SyncOptions {
  /** `reconcile` reads the person's kada events back from Graph and repairs drift. */
  mode?: 'sync' | 'reconcile';
  dryRun?: boolean;
  priority?: number;
  /** How old a stored TP course may be before it is read again; 0 = always read TP. */
  courseMaxAgeMs?: number;
  jobId?: string;
  onProgress?: (p: { done: number; total: number }) => void;
}

export type PersonOutcome = 'synced' | 'gone' | 'no_mailbox' | 'opted_out';

export interface PlannedChange {
  kind: 'create' | 'update' | 'delete';
  key: string;
  mailbox: string;
  subject?: string;
  start?: string;
  end?: string;
}

export interface SyncResult {
  personId: string;
  outcome: PersonOutcome;
  mailbox: string | null;
  planned: { creates: number; updates: number; deletes: number };
  changes: PlannedChange[];
  written: { creates: number; updates: number; deletes: number };
  failed: { key: string; kind: string; status: number; code: string; message: string }[];
  eventCount: number;
  dataErrors: DataError[];
  courses: string[];
}

type Op = GraphWrite & { desired?: DesiredEvent };

const HOUR = 3_600_000;

export async function syncPerson(ctx: SyncContext, personId: string, opts: SyncOptions = {}): Promise<SyncResult> {
  const log = ctx.logger.child({ personId, ...(opts.jobId ? { jobId: opts.jobId } : {}) });
  const { db, config } = ctx;
  const fsPerson = await ctx.fs.getPerson(personId);
  const stored = await loadState(db, personId);
  const known = await getPerson(db, personId);
  const previousMailbox = known?.mailbox ?? null;

  if (!fsPerson) {
    // Gone from FS (404): everything kada wrote for them goes, nothing else in their calendar.
    if (!opts.dryRun) {
      await removeUnrecordedEvents(ctx, personId, previousMailbox, null, stored, opts.priority ?? 0);
      await markGone(db, personId);
    }
    log.info({ events: stored.length }, 'person no longer in FS: removing their kada events');
    return execute(ctx, personId, null, 'gone', deleteAll(stored), stored, [], [], opts, log);
  }

  const mailbox = mailboxOf(fsPerson, config.mailbox);
  if (!mailbox) {
    if (!opts.dryRun) {
      await removeUnrecordedEvents(ctx, personId, previousMailbox, null, stored, opts.priority ?? 0);
      await upsertPerson(db, fsPerson, null, 'no_mailbox');
      if (known?.status !== 'no_mailbox') {
        await recordError(db, {
          kind: 'person',
          code: 'PERSON_NO_MAILBOX',
          message: `person ${personId} has no mailbox in FS (${config.mailbox.from === 'username' ? 'brukernavn' : 'epost'} missing); skipped`,
          personId,
          jobId: opts.jobId,
        });
        ctx.metrics?.dataErrors.inc({ code: 'PERSON_NO_MAILBOX' });
      }
    }
    log.warn('person has no mailbox: skipped');
    return execute(ctx, personId, null, 'no_mailbox', deleteAll(stored), stored, [], [], opts, log);
  }

  if (!opts.dryRun) {
    await removeUnrecordedEvents(ctx, personId, previousMailbox, mailbox, stored, opts.priority ?? 0);
    await upsertPerson(db, fsPerson, mailbox, 'active');
  }
  const optedOut = known?.optedOut ?? false;

  let desired: DesiredEvent[] = [];
  let dataErrors: DataError[] = [];
  let courseNames: string[] = [];
  if (!optedOut) {
    const registrations: Registration[] = [];
    const roles: TeachingRole[] = [];
    for (const sem of config.semesters) {
      const [r, t] = await Promise.all([
        ctx.fs.registrationsForPerson(personId, sem),
        ctx.fs.rolesForPerson(personId, sem),
      ]);
      registrations.push(...r);
      roles.push(...t);
    }
    const refs = new Map<string, CourseRef>();
    for (const c of [...registrations.map((r) => r.course), ...roles.map((r) => r.course)]) {
      if (config.semesters.includes(c.semester)) refs.set(courseKey(c), c);
    }
    if (fsPerson.username)
      for (const c of await coursesNamingStaff(db, fsPerson.username, config.semesters)) refs.set(courseKey(c), c);
    const settings = { institution: config.institution, timezone: config.timezone, language: config.language };
    const courses = await loadCourses(db, ctx.tp, [...refs.values()], {
      maxAgeMs: opts.courseMaxAgeMs ?? HOUR,
      settings,
    });
    const result = desiredEvents({
      personId,
      username: fsPerson.username,
      registrations,
      roles,
      courses,
      settings,
      seriesMode: config.seriesMode,
    });
    desired = result.events;
    dataErrors = result.errors;
    courseNames = [...refs.keys()].sort();
  }

  // Events kada wrote into another mailbox (the person's address changed) are removed from there.
  const elsewhere = stored.filter((s) => s.mailbox !== mailbox);
  const here = stored.filter((s) => s.mailbox === mailbox);

  let calendarId: string | null = null;
  if (!opts.dryRun || opts.mode === 'reconcile') calendarId = await prepareMailbox(ctx, mailbox, opts);

  let state: SyncedEvent[] = here;
  let extraDeletes: Op[] = [];
  let adopt: ((plan: SyncPlan) => Promise<void>) | null = null;
  if (opts.mode === 'reconcile') {
    const observed = await readBackState(ctx, mailbox, calendarId, desired, opts.priority ?? 0);
    state = observed.state;
    // The weeks of series masters are not listed with the events: they are read per master.
    if (desired.some((d) => d.content.recurrence)) {
      state = state.concat(
        await observeExceptions(ctx.writer, { mailbox, desired, observed: state, priority: opts.priority ?? 0 }),
      );
    }
    extraDeletes = observed.unkeyed.map((id) => ({ kind: 'delete', mailbox, eventId: id, key: '(no key)' }) as Op);
    const seen = state;
    adopt = (plan) => adoptObserved(db, personId, mailbox, here, seen, plan);
  }

  const { plan, exceptions, forget } = planSeries(diff(desired, state), desired, state);
  const ops: Op[] = [
    ...deleteAll(elsewhere),
    ...extraDeletes,
    ...plan.deletes.map((d) => ({ kind: 'delete', mailbox, eventId: d.graphEventId, key: d.key }) as Op),
    ...plan.updates.map(
      (u) =>
        ({
          kind: 'update',
          mailbox,
          eventId: u.graphEventId,
          key: u.key,
          body: graphBody(u.desired, config.institution),
          desired: u.desired,
        }) as Op,
    ),
    ...plan.creates.map(
      (c) =>
        ({
          kind: 'create',
          mailbox,
          calendarId,
          key: c.key,
          body: graphBody(c.desired, config.institution),
          desired: c.desired,
          ...(c.desired.content.recurrence ? { transactionKey: `${c.key}#${c.desired.hash}` } : {}),
        }) as Op,
    ),
  ];
  if (adopt && !opts.dryRun) await adopt(plan);
  const series = {
    exceptions,
    forget,
    masters: new Map(desired.filter((d) => d.content.recurrence).map((d) => [d.key, d])),
  };
  return execute(
    ctx,
    personId,
    mailbox,
    optedOut ? 'opted_out' : 'synced',
    ops,
    stored,
    dataErrors,
    courseNames,
    opts,
    log,
    series,
  );
}

/**
 * kada events in the mailbox the person had before (a new address, gone from FS, no mailbox any
 * more) that the state store does not know: a job that crashed, or lost the database, between a
 * Graph write and its record left them. Once the new mailbox is saved nobody would look there again,
 * so they are read back and removed first (recorded ones go with the other deletes); a failure
 * throws before the new mailbox is saved, so the retry still knows the old one.
 */
async function removeUnrecordedEvents(
  ctx: SyncContext,
  personId: string,
  previous: string | null,
  current: string | null,
  stored: StoredEvent[],
  priority: number,
): Promise<void> {
  if (!previous || previous === current) return;
  // The address may have passed to someone else since: what kada has there is theirs now.
  if (await mailboxTakenByOther(ctx.db, previous, personId)) return;
  let calendarId: string | null = null;
  if (ctx.config.calendar.mode === 'dedicated') {
    calendarId = (await getMailboxSetup(ctx.db, previous))?.calendarId ?? null;
    if (!calendarId) return; // kada never made its calendar there
  }
  let events: Awaited<ReturnType<typeof listKadaEvents>>;
  try {
    events = await listKadaEvents(ctx.writer, {
      mailbox: previous,
      calendarId,
      institution: ctx.config.institution,
      priority,
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return; // the mailbox itself is gone
    throw err;
  }
  const recorded = new Set(stored.map((s) => s.graphEventId));
  const orphans: GraphWrite[] = events
    .filter((e) => !recorded.has(e.id))
    .map((e) => ({ kind: 'delete', mailbox: previous, eventId: e.id, key: e.key ?? '(no key)' }));
  const failed = (await ctx.writer.writeAll(orphans, priority)).filter((r) => !r.ok).length;
  if (failed) {
    throw new SyncError(
      'GRAPH_UNAVAILABLE',
      `${failed} unrecorded kada event(s) in the previous mailbox could not be removed; the job will be retried`,
      true,
      personId,
    );
  }
}

/** Exceptions go with their master: only masters and single events are deleted. */
function deleteAll(events: StoredEvent[]): Op[] {
  return events
    .filter((s) => !parseExceptionKey(s.key))
    .map((s) => ({ kind: 'delete', mailbox: s.mailbox, eventId: s.graphEventId, key: s.key }));
}

async function prepareMailbox(ctx: SyncContext, mailbox: string, opts: SyncOptions): Promise<string | null> {
  const setup = (await getMailboxSetup(ctx.db, mailbox)) ?? { calendarId: null, categoryEnsured: false };
  if (opts.dryRun) return ctx.config.calendar.mode === 'dedicated' ? setup.calendarId : null;
  let changed = false;
  const category = ctx.config.language === 'en' ? 'Teaching' : 'Undervisning';
  if (!setup.categoryEnsured) {
    await ensureCategory(ctx.writer, mailbox, category, opts.priority ?? 0);
    setup.categoryEnsured = true;
    changed = true;
  }
  if (ctx.config.calendar.mode === 'dedicated' && !setup.calendarId) {
    setup.calendarId = await ensureCalendar(ctx.writer, mailbox, ctx.config.calendar.name, opts.priority ?? 0);
    changed = true;
  }
  if (changed) await saveMailboxSetup(ctx.db, mailbox, setup);
  return ctx.config.calendar.mode === 'dedicated' ? setup.calendarId : null;
}

/**
 * Graph's view as diff input: an event counts as up to date only if both its HASH marker and what
 * the person sees (fingerprint) match the desired event; an edited one gets a hash that forces a PATCH.
 */
async function readBackState(
  ctx: SyncContext,
  mailbox: string,
  calendarId: string | null,
  desired: DesiredEvent[],
  priority: number,
) {
  const events = await listKadaEvents(ctx.writer, {
    mailbox,
    calendarId,
    institution: ctx.config.institution,
    priority,
  });
  const want = new Map(desired.map((d) => [d.key, d]));
  const state: SyncedEvent[] = [];
  const unkeyed: string[] = [];
  for (const e of events) {
    if (!e.key) {
      unkeyed.push(e.id);
      continue;
    }
    const d = want.get(e.key);
    const intact = d !== undefined && e.hash === d.hash && fingerprint(e) === fingerprint(d.content);
    state.push({ key: e.key, graphEventId: e.id, hash: intact ? d.hash : `drift:${e.hash ?? ''}` });
  }
  return { state, unkeyed };
}

/** Makes the state store agree with what Graph holds before the repairs are written. */
async function adoptObserved(
  db: Queryable,
  personId: string,
  mailbox: string,
  here: StoredEvent[],
  observed: SyncedEvent[],
  plan: SyncPlan,
) {
  const deleted = new Set(plan.deletes.map((d) => d.graphEventId));
  const kept = new Map<string, SyncedEvent>();
  for (const s of observed) if (!deleted.has(s.graphEventId)) kept.set(s.key, s);
  for (const s of here) {
    const k = kept.get(s.key);
    if (!k) await forgetEvent(db, personId, s.key);
  }
  for (const s of kept.values()) {
    const parsed = parseEventKey(s.key);
    if (!parsed) continue;
    const prev = here.find((h) => h.key === s.key);
    if (prev && prev.graphEventId === s.graphEventId && prev.hash === s.hash) continue;
    await saveEvent(db, personId, { ...s, mailbox, course: parsed.course });
  }
}

async function execute(
  ctx: SyncContext,
  personId: string,
  mailbox: string | null,
  outcome: PersonOutcome,
  ops: Op[],
  stored: StoredEvent[],
  dataErrors: DataError[],
  courses: string[],
  opts: SyncOptions,
  log: Logger,
  series: SeriesWork = { exceptions: [], forget: [], masters: new Map() },
): Promise<SyncResult> {
  const exceptionChanges: PlannedChange[] = series.exceptions.map((e) => ({
    kind: 'update',
    key: e.key,
    mailbox: mailbox ?? '',
    subject: e.content.subject,
    start: e.content.start.dateTime,
    end: e.content.end.dateTime,
  }));
  const result: SyncResult = {
    personId,
    outcome,
    mailbox,
    planned: {
      creates: ops.filter((o) => o.kind === 'create').length,
      updates: ops.filter((o) => o.kind === 'update').length + series.exceptions.length,
      deletes: ops.filter((o) => o.kind === 'delete').length,
    },
    changes: ops
      .map(
        (o): PlannedChange => ({
          kind: o.kind as PlannedChange['kind'],
          key: o.key,
          mailbox: o.mailbox,
          ...(o.desired
            ? {
                subject: o.desired.content.subject,
                start: o.desired.content.start.dateTime,
                end: o.desired.content.end.dateTime,
              }
            : {}),
        }),
      )
      .concat(exceptionChanges),
    written: { creates: 0, updates: 0, deletes: 0 },
    failed: [],
    eventCount: stored.filter((s) => !parseExceptionKey(s.key)).length,
    dataErrors,
    courses,
  };
  if (opts.dryRun) return result;

  const total = ops.length + series.exceptions.length;
  let done = 0;
  const progress = () => opts.onProgress?.({ done: ++done, total });
  opts.onProgress?.({ done: 0, total });
  const db = ctx.db;
  const priority = opts.priority ?? 0;

  const apply = async (op: Op, r: GraphWriteResult): Promise<void> => {
    if (
      r.ok &&
      op.kind === 'create' &&
      op.desired &&
      r.eventId &&
      r.event &&
      fingerprint(r.event) !== fingerprint(op.desired.content)
    ) {
      // Graph answered with the event an earlier create of this transactionId made (its record was lost
      // to a crash or a failure), as it was then: bring it up to date instead of recording it as current.
      const patch: Op = {
        kind: 'update',
        mailbox: op.mailbox,
        eventId: r.eventId,
        key: op.key,
        body: op.body,
        desired: op.desired,
      };
      return apply(patch, await ctx.writer.write(patch, priority));
    }
    if (r.ok) {
      if (op.kind === 'delete') {
        if (op.key !== '(no key)') await forgetEvent(db, personId, op.key, op.eventId);
      } else {
        const parsed = parseEventKey(op.key);
        const course = op.desired?.course ?? parsed?.course;
        if (course && op.desired) {
          await saveEvent(db, personId, {
            key: op.key,
            graphEventId: r.eventId ?? (op.kind === 'update' ? op.eventId : ''),
            hash: op.desired.hash,
            mailbox: op.mailbox,
            course,
          });
        }
      }
      result.written[`${op.kind}s` as 'creates' | 'updates' | 'deletes']++;
      progress();
      return;
    }
    if (op.kind === 'update' && r.gone && op.desired) {
      // The person deleted it in Outlook: put it back (kalenderdata's rule: fix errors at the source).
      const again: Op = {
        kind: 'create',
        mailbox: op.mailbox,
        calendarId: null,
        key: op.key,
        body: op.body,
        desired: op.desired,
      };
      if (ctx.config.calendar.mode === 'dedicated')
        (again as Extract<Op, { kind: 'create' }>).calendarId =
          (await getMailboxSetup(db, op.mailbox))?.calendarId ?? null;
      return apply(again, await ctx.writer.write(again, priority));
    }
    result.failed.push({ key: op.key, kind: op.kind, status: r.status, code: r.code, message: r.message });
    progress();
  };

  await Promise.all(ops.map(async (op) => apply(op, await ctx.writer.write(op, priority))));
  await writeSeriesExceptions(ctx, personId, mailbox, series, stored, result, priority, progress);

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
  log.info({ outcome, mailbox, ...result.written, failed: result.failed.length, events }, 'person synced');
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

interface SeriesWork {
  exceptions: ExceptionWrite[];
  forget: SyncedEvent[];
  masters: Map<string, DesiredEvent>;
}

/**
 * After the first phase: forget the records of exceptions whose master went (or was written anew),
 * then PATCH the instances that differ from their series.
 */
async function writeSeriesExceptions(
  ctx: SyncContext,
  personId: string,
  mailbox: string | null,
  series: SeriesWork,
  stored: StoredEvent[],
  result: SyncResult,
  priority: number,
  onDone: () => void,
): Promise<void> {
  for (const f of series.forget) await forgetEvent(ctx.db, personId, f.key, f.graphEventId);
  if (series.exceptions.length === 0 && !stored.some((s) => parseExceptionKey(s.key))) return; // no series here at all
  const now = await loadState(ctx.db, personId);
  const masters = new Map(now.filter((s) => !parseExceptionKey(s.key)).map((s) => [s.key, s]));
  // Records of exceptions whose master is gone (a person gone, a new mailbox) go too.
  for (const s of now) {
    const ex = parseExceptionKey(s.key);
    if (ex && masters.get(ex.masterKey)?.mailbox !== s.mailbox)
      await forgetEvent(ctx.db, personId, s.key, s.graphEventId);
  }
  const masterIds = new Map([...masters].filter(([, s]) => s.mailbox === mailbox).map(([k, s]) => [k, s.graphEventId]));
  if (!mailbox || series.exceptions.length === 0) return;
  const { written, failed } = await writeExceptions(ctx, {
    personId,
    mailbox,
    writes: series.exceptions,
    masters: series.masters,
    masterIds,
    priority,
    onDone,
  });
  result.written.updates += written;
  result.failed.push(...failed);
}
