import { personJobHandler } from '../app/jobHandler';
import { isTransient } from '../sync/errors';
import type { AppContext } from '../app/context';
import { type LockHolder, withAdvisoryLock } from '../db/advisoryLock';
import { queueAndRunNow } from '../jobs/runJobNow';
import { PRIORITY } from '../jobs/types';
import { roomTargetId } from '../domain/target';
import { countPersonsAfter, personsAfter } from '../store/persons';
import { listRooms } from '../store/rooms';
import { finishReconcileRun, openReconcileRun, saveReconcileProgress } from '../store/reconcileRuns';
import type { CourseRef } from '../domain/types';
import type { Queryable } from '../store/queryable';
import { discoverPersons, type DiscoveryResult } from './discoverPersons';
import { seedCourses } from './seedCourses';
import { WalkWindow } from './walkWindow';

/**
 * `kada reconcile --all`, the nightly drift repair: every known active person, in person order,
 * through the job queue (so it never collides with `kada run`). Progress is kept in reconcile_runs:
 * a run stopped half-way (pod evicted, time limit) is resumed from its last person by the next one.
 * A fresh run first asks FS who takes or teaches the courses kada knows (discoverPersons.ts), so a
 * person whose notification never arrived is walked too.
 * One run at a time across the installation (a PostgreSQL advisory lock): a second `reconcile --all`
 * (a manual one during the nightly CronJob) stops at once with ReconcileRunningError, or with
 * `wait` queues behind the first and then resumes or starts a run of its own.
 */
export interface ReconcileAllOptions {
  concurrency: number;
  maxPersons?: number;
  deadline?: number; // epoch ms; stop taking new persons after this
  /** Ask FS for persons kada has never seen before a fresh run (default true). */
  discover?: boolean;
  /** Courses to read from TP before discovery (seedCourses.ts): how a walk over an empty database finds persons. */
  courses?: CourseRef[];
  onProgress?: (p: { done: number; total: number; repairs: number }) => void;
  /** Wait for a run in progress elsewhere instead of failing with ReconcileRunningError. */
  wait?: boolean;
}

export class ReconcileRunningError extends Error {
  readonly code = 'RECONCILE_RUNNING';
  constructor(readonly holder: LockHolder | null) {
    const since = holder?.since ? ` since ${new Date(holder.since).toISOString()}` : '';
    const who = holder?.client ? ` from ${holder.client}` : '';
    super(
      `another reconcile --all is running${since}${who}; this one did nothing. ` +
        'Let it finish (an unfinished run is resumed by the next one) or pass --wait to queue behind it.',
    );
    this.name = 'ReconcileRunningError';
  }
}

export interface ReconcileAllResult {
  runId: string;
  resumed: boolean;
  finished: boolean;
  persons: number;
  repairs: number;
  failed: { personId: string; error: string }[];
  /** Null when the run was resumed or discovery was turned off. */
  discovery: DiscoveryResult | null;
}

export async function reconcileAll(ctx: AppContext, opts: ReconcileAllOptions): Promise<ReconcileAllResult> {
  const locked = await withAdvisoryLock(
    ctx.dataSource,
    'reconcileAll',
    { wait: !!opts.wait, application: 'kada reconcile --all' },
    () => walkAll(ctx, opts),
  );
  if (locked.busy) throw new ReconcileRunningError(locked.holder);
  return locked.result;
}

async function walkAll(ctx: AppContext, opts: ReconcileAllOptions): Promise<ReconcileAllResult> {
  const started = Date.now();
  const db = ctx.db;
  const { run, resumed } = await openReconcileRun(db);
  const runId = run.id;
  const seeded = !resumed && opts.courses?.length ? await seedCourses(db, ctx.tp, opts.courses) : [];
  const discovery =
    !resumed && opts.discover !== false ? await discoverPersons(db, ctx.fs, ctx.config.semesters) : null;
  if (discovery) discovery.failed.unshift(...seeded);
  let done = run.personsDone;
  let repairs = run.repairs;
  const failedBefore = run.personsFailed;
  const failed: ReconcileAllResult['failed'] = [];
  const remaining = await countPersonsAfter(db, run.lastPersonId);
  const total = done + Math.min(remaining, opts.maxPersons ?? Infinity);
  // A minute's margin: PostgreSQL stamps a course's read with its own clock, which may be behind ours.
  const handler = personJobHandler(ctx, { coursesFreshSince: started - 60_000 });
  // Where a resumed run goes on from: the cursor and the counts so far, failures across resumptions.
  const walked = new WalkWindow(run.lastPersonId);
  const saveProgress = () =>
    saveReconcileProgress(db, {
      id: runId,
      lastPersonId: walked.cursor,
      personsDone: done,
      repairs,
      personsFailed: failedBefore + failed.length,
    });
  const next = personFeed(db, walked, opts);
  let saving = Promise.resolve();
  let sinceSave = 0;
  const work = async () => {
    for (let personId = await next(); personId !== null; personId = await next()) {
      const one = await reconcileOne(db, personId, runId, handler);
      repairs += one.repairs;
      if (one.failed) failed.push(one.failed);
      done++;
      walked.finish(personId);
      opts.onProgress?.({ done, total, repairs });
      // Saved in order, one at a time, every few persons: a later save never lands before an earlier one.
      if (++sinceSave >= opts.concurrency * 4) {
        sinceSave = 0;
        saving = saving.then(saveProgress);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, work));
  await saving;
  if (!next.exhausted()) {
    await saveProgress();
    return { runId, resumed, finished: false, persons: done, repairs, failed, discovery };
  }
  const rooms = await walkRooms(ctx, runId, handler);
  repairs += rooms.repairs;
  failed.push(...rooms.failed);
  await saveProgress();
  await finishReconcileRun(db, runId);
  return { runId, resumed, finished: true, persons: done, repairs, failed, discovery };
}

/**
 * The next person to walk, in person order, read from PostgreSQL a page at a time; null once the walk
 * is to stop (deadline, --max-persons) or every person was handed out (then `exhausted()` says so).
 */
function personFeed(db: Queryable, walked: WalkWindow, opts: ReconcileAllOptions) {
  const page: string[] = [];
  let readUpTo = walked.cursor;
  let empty = false;
  let handedOut = 0;
  let reading: Promise<void> | null = null;
  const next = async (): Promise<string | null> => {
    for (;;) {
      if (opts.deadline && Date.now() > opts.deadline) return null;
      if (handedOut >= (opts.maxPersons ?? Infinity)) return null;
      const personId = page.shift();
      if (personId !== undefined) {
        handedOut++;
        walked.take(personId);
        return personId;
      }
      if (empty) return null;
      reading ??= personsAfter(db, readUpTo, Math.max(1, opts.concurrency) * 4).then((ids) => {
        page.push(...ids);
        if (ids.length) readUpTo = ids[ids.length - 1]!;
        else empty = true;
        reading = null;
      });
      await reading;
    }
  };
  return Object.assign(next, { exhausted: () => empty && page.length === 0 });
}

/**
 * One forced reconcile job, run here unless a `kada run` holds the person (then this waits for it): the
 * writes it repaired, or why it failed.
 */
async function reconcileOne(
  db: Queryable,
  personId: string,
  runId: string,
  handler: ReturnType<typeof personJobHandler>,
): Promise<{ repairs: number; failed: ReconcileAllResult['failed'][number] | null }> {
  const queue = { priority: PRIORITY.reconcile, force: true, reason: `reconcile run ${runId}` };
  const job = await queueAndRunNow(db, personId, queue, { handler, isTransient });
  if (job.state !== 'done') return { repairs: 0, failed: { personId, error: job.lastError ?? job.state } };
  const w = (job.result as { written?: { creates: number; updates: number; deletes: number } } | null)?.written;
  return { repairs: w ? w.creates + w.updates + w.deletes : 0, failed: null };
}

/**
 * Room calendars (ROOM_CALENDARS=on): after the persons, every mapped room, and every unmapped one still
 * holding kada events, is reconciled against its mailbox the same way. Off, rooms are left alone.
 */
async function walkRooms(
  ctx: AppContext,
  runId: string,
  handler: ReturnType<typeof personJobHandler>,
): Promise<{ repairs: number; failed: ReconcileAllResult['failed'] }> {
  const out = { repairs: 0, failed: [] as ReconcileAllResult['failed'] };
  if (!ctx.config.roomCalendars) return out;
  for (const room of await listRooms(ctx.db)) {
    const target = roomTargetId(room.roomId);
    const one = await reconcileOne(ctx.db, target, runId, handler);
    out.repairs += one.repairs;
    if (one.failed) out.failed.push(one.failed);
  }
  return out;
}
