import { personJobHandler } from '../app/jobHandler';
import { isTransient } from '../sync/errors';
import type { AppContext } from '../app/context';
import { type LockHolder, withAdvisoryLock } from '../db/advisoryLock';
import { enqueuePerson } from '../jobs/enqueue';
import { runJobNow } from '../jobs/runJobNow';
import { PRIORITY } from '../jobs/types';
import { roomTargetId } from '../domain/target';
import { countPersonsAfter, personsAfter } from '../store/persons';
import { listRooms } from '../store/rooms';
import { finishReconcileRun, openReconcileRun, saveReconcileProgress } from '../store/reconcileRuns';
import type { CourseRef } from '../domain/types';
import { discoverPersons, type DiscoveryResult } from './discoverPersons';
import { seedCourses } from './seedCourses';

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
  const db = ctx.db;
  const { run, resumed } = await openReconcileRun(db);
  const runId = run.id;
  const seeded = !resumed && opts.courses?.length ? await seedCourses(db, ctx.tp, opts.courses) : [];
  const discovery =
    !resumed && opts.discover !== false ? await discoverPersons(db, ctx.fs, ctx.config.semesters) : null;
  if (discovery) discovery.failed.unshift(...seeded);
  let cursor = run.lastPersonId;
  let done = run.personsDone;
  let repairs = run.repairs;
  const failedBefore = run.personsFailed;
  const failed: ReconcileAllResult['failed'] = [];
  const remaining = await countPersonsAfter(db, cursor);
  const total = done + Math.min(remaining, opts.maxPersons ?? Infinity);
  const handler = personJobHandler(ctx);
  let processed = 0;
  // Where a resumed run goes on from: the cursor and the counts so far, failures across resumptions.
  const saveProgress = () =>
    saveReconcileProgress(db, {
      id: runId,
      lastPersonId: cursor,
      personsDone: done,
      repairs,
      personsFailed: failedBefore + failed.length,
    });

  for (;;) {
    if (opts.deadline && Date.now() > opts.deadline) break;
    const room = (opts.maxPersons ?? Infinity) - processed;
    if (room <= 0) break;
    const batch = await personsAfter(db, cursor, Math.min(opts.concurrency * 4, room));
    if (batch.length === 0) {
      const rooms = await walkRooms(ctx, runId, handler);
      repairs += rooms.repairs;
      failed.push(...rooms.failed);
      await saveProgress();
      await finishReconcileRun(db, runId);
      return { runId, resumed, finished: true, persons: done, repairs, failed, discovery };
    }
    // Persons of one batch run side by side; the cursor only moves past a batch once all of it is done.
    let next = 0;
    const work = async () => {
      while (next < batch.length) {
        const personId = batch[next++]!;
        const jobId = await enqueuePerson(db, personId, {
          priority: PRIORITY.reconcile,
          force: true,
          reason: `reconcile run ${runId}`,
        });
        const job = await runJobNow(db, jobId, { handler, isTransient });
        const r = job.result as { written?: { creates: number; updates: number; deletes: number } } | null;
        if (job.state === 'done' && r?.written) repairs += r.written.creates + r.written.updates + r.written.deletes;
        else if (job.state !== 'done') failed.push({ personId, error: job.lastError ?? job.state });
        done++;
        processed++;
        opts.onProgress?.({ done, total, repairs });
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency, batch.length) }, work));
    cursor = batch[batch.length - 1]!;
    await saveProgress();
  }
  return { runId, resumed, finished: false, persons: done, repairs, failed, discovery };
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
    const jobId = await enqueuePerson(ctx.db, target, {
      priority: PRIORITY.reconcile,
      force: true,
      reason: `reconcile run ${runId}`,
    });
    const job = await runJobNow(ctx.db, jobId, { handler, isTransient });
    const r = job.result as { written?: { creates: number; updates: number; deletes: number } } | null;
    if (job.state === 'done' && r?.written) out.repairs += r.written.creates + r.written.updates + r.written.deletes;
    else if (job.state !== 'done') out.failed.push({ personId: target, error: job.lastError ?? job.state });
  }
  return out;
}
