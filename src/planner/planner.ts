import type { DataSource, QueryRunner } from 'typeorm';
import { isTransient as defaultIsTransient } from '../sync/errors';
import { type Backoff, backoffMs } from '../domain/backoff';
import { courseKey, type CourseRef } from '../domain/types';
import { enqueuePerson } from '../jobs/enqueue';
import { jobRetryDelay } from '../jobs/retryDelay';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import { recordError } from '../store/errors';
import type { FsSource, TpSource } from '../domain/ports';
import { courseFanOut } from './courseFanOut';
import { inTransaction } from './inTransaction';
import { courseChangePriority, personChangePriorities, queueChange } from './queueChange';
import {
  claimCourseRows,
  claimPersonRows,
  dueCourses,
  inboxClock,
  markAttemptFailed,
  markDone,
  pruneInbox,
  type PendingCourseRow,
} from './inboxQueue';

/**
 * Turns inbox rows into per-person jobs. Person notifications become a job at once; course
 * notifications wait `debounceMs` after the oldest one so a burst (a planner moving 200 events)
 * becomes one TP read and one job per affected person. Claiming, queueing and marking happen in
 * one transaction, so several processes can plan together and a crash loses nothing.
 */

export interface PlannerOptions {
  dataSource: DataSource;
  tp: TpSource;
  fs: FsSource;
  logger: Logger;
  metrics?: Metrics;
  /** TP semesters kada syncs; notifications for other semesters are ignored. */
  semesters?: string[];
  debounceMs?: number;
  /** How far apart two sightings of a course emptied in TP must be (default 15 minutes). */
  confirmDelayMs?: number;
  pollMs?: number;
  batchSize?: number;
  /** Attempts of a course notification before it is `failed`. */
  maxAttempts?: number;
  retryDelayMs?: (attempt: number) => number;
  isTransient?: (err: unknown) => boolean;
  /** max_attempts of the jobs it queues. */
  jobMaxAttempts?: number;
  /** ROOM_CALENDARS=on: a course change is fanned out to the mapped rooms it books too. */
  roomCalendars?: boolean;
  /** Called after jobs were queued (wakes this process's workers before LISTEN/NOTIFY does). */
  onEnqueued?: () => void;
  /** The clock of "the next 14 days" (tests and the bench set a day of term). */
  now?: () => Date;
}

export interface TickResult {
  persons: number;
  courses: number;
  /** Milliseconds until something is due; 0: more work is waiting now; null: the inbox is empty. */
  nextDueInMs: number | null;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const MIN_TICK_GAP_MS = 25;

export class Planner {
  private running = false;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private lastPrune = 0;
  private readonly log: Logger;
  private readonly debounceMs: number;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  /** After a failed tick: up to twice the poll interval, doubling up to 32 polls (at most 30 s). */
  private readonly failureBackoff: Backoff;

  constructor(private readonly opts: PlannerOptions) {
    this.log = opts.logger.child({ component: 'planner' });
    this.debounceMs = opts.debounceMs ?? 400;
    this.pollMs = opts.pollMs ?? 1_000;
    this.batchSize = opts.batchSize ?? 100;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.failureBackoff = { baseMs: this.pollMs, capMs: Math.min(30_000, this.pollMs * 32) };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  /** Finishes the tick in progress (its transaction commits or rolls back) and stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping = true;
    this.wake();
    await this.loopDone;
    this.loopDone = null;
  }

  /** A notification was stored in this process: look now instead of at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** One pass: every due person batch, then every due course. */
  async tick(): Promise<TickResult> {
    let persons = 0;
    for (;;) {
      const n = await this.planPersons();
      persons += n;
      if (n < this.batchSize) break;
    }
    let courses = 0;
    const due = await dueCourses(this.opts.dataSource, this.debounceMs, this.batchSize);
    for (const course of due) {
      if (this.stopping) break;
      if (await this.planCourse(course)) courses++;
    }
    const clock = await inboxClock(this.opts.dataSource, this.debounceMs);
    this.opts.metrics?.inboxLag.set(clock.lagSeconds);
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      const pruned = await pruneInbox(this.opts.dataSource);
      if (pruned) this.log.debug({ pruned }, 'pruned old inbox rows');
    }
    const nextDueInMs = clock.nextDueInMs === null ? null : Math.max(0, clock.nextDueInMs);
    return { persons, courses, nextDueInMs: due.length === this.batchSize ? 0 : nextDueInMs };
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.woken = false;
      let waitMs = this.pollMs;
      try {
        const r = await this.tick();
        failures = 0;
        if (r.nextDueInMs !== null) waitMs = Math.min(this.pollMs, r.nextDueInMs);
      } catch (err) {
        failures++;
        waitMs = backoffMs(failures + 1, this.failureBackoff, Math.random);
        this.log.warn(
          { error: (err as Error).message, retryInMs: waitMs },
          'planning failed (database unavailable?); will retry',
        );
      }
      if (!this.running) break;
      await this.sleep(Math.max(MIN_TICK_GAP_MS, waitMs));
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      // Several stores in a row wake the loop once, not once each.
      return new Promise((r) => setTimeout(r, MIN_TICK_GAP_MS));
    }
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  /** Person notifications (and any stray ignored ones): claim, queue, mark, commit. */
  private async planPersons(): Promise<number> {
    return inTransaction(this.opts.dataSource, async (q, afterCommit) => {
      const rows = await claimPersonRows(q, this.batchSize);
      if (rows.length === 0) return 0;
      const byPerson = new Map<string, string>();
      for (const r of rows)
        if (r.action === 'person' && r.personId) byPerson.set(r.personId, `${r.format}:${r.notificationId}`);
      const priorities = await personChangePriorities(q, [...byPerson.keys()]);
      // A fixed order keeps two planners from locking the same queued jobs in opposite orders.
      for (const personId of [...byPerson.keys()].sort()) {
        await enqueuePerson(q, personId, {
          priority: priorities.get(personId)!,
          reason: byPerson.get(personId)!,
          maxAttempts: this.opts.jobMaxAttempts,
        });
      }
      const ignored = rows.filter((r) => r.action !== 'person' || !r.personId);
      await markDone(
        q,
        rows.filter((r) => !ignored.includes(r)).map((r) => r.id),
        'processed',
      );
      await markDone(
        q,
        ignored.map((r) => r.id),
        'ignored',
        'nothing to do',
      );
      for (const _ of ignored) this.opts.metrics?.notificationsIgnored.inc({ reason: 'no_action' });
      if (byPerson.size) {
        this.log.debug({ notifications: rows.length, persons: byPerson.size }, 'queued person jobs');
        afterCommit(() => this.opts.onEnqueued?.());
      }
      return rows.length;
    });
  }

  /** One course: claim all its pending rows, read TP once, queue everyone affected, mark, commit. */
  private async planCourse(course: CourseRef): Promise<boolean> {
    const key = courseKey(course);
    const log = this.log.child({ course: key });
    return inTransaction(this.opts.dataSource, async (q, afterCommit) => {
      const rows = await claimCourseRows(q, course);
      if (rows.length === 0) return false; // another planner has it
      const ids = rows.map((r) => r.id);
      if (this.opts.semesters && !this.opts.semesters.includes(course.semester)) {
        await markDone(q, ids, 'ignored', `semester ${course.semester} is not synced`);
        this.opts.metrics?.notificationsIgnored.inc({ reason: 'semester_not_synced' }, rows.length);
        return true;
      }
      await q.query('SAVEPOINT fan_out');
      try {
        const fan = await courseFanOut(
          q,
          { tp: this.opts.tp, fs: this.opts.fs },
          course,
          this.opts.metrics,
          this.opts.confirmDelayMs,
          { rooms: this.opts.roomCalendars === true, now: this.opts.now?.() },
        );
        const queued = await queueChange(q, fan.personIds, {
          change: courseChangePriority(
            fan,
            rows.some((r) => r.manual),
          ),
          reason: reasonOf(rows),
          maxAttempts: this.opts.jobMaxAttempts,
        });
        await markDone(q, ids, 'processed');
        const figures = { notifications: rows.length, persons: fan.personIds.length, events: fan.eventCount };
        log.info({ ...figures, queued, near: fan.nearTerm }, 'course change planned');
        if (queued) afterCommit(() => this.opts.onEnqueued?.());
      } catch (err) {
        await q.query('ROLLBACK TO SAVEPOINT fan_out');
        await this.courseFailed(q, course, rows, err);
      }
      return true;
    });
  }

  private async courseFailed(q: QueryRunner, course: CourseRef, rows: PendingCourseRow[], err: unknown): Promise<void> {
    const key = courseKey(course);
    const code = (err as { code?: string }).code ?? 'PLANNER_FAILED';
    const message = `could not plan the TP change of ${key}: ${(err as Error).message ?? String(err)}`;
    const transient = (this.opts.isTransient ?? defaultIsTransient)(err);
    const attempt = Math.max(...rows.map((r) => r.attempts)) + 1;
    const retryInMs = (this.opts.retryDelayMs ?? jobRetryDelay)(attempt);
    const failed = await markAttemptFailed(
      q,
      rows.map((r) => r.id),
      `[${code}] ${message}`,
      { retryInMs, maxAttempts: this.maxAttempts, retry: transient },
    );
    if (failed.length) {
      await recordError(q, {
        kind: 'source',
        code,
        message: `${message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'})`,
        course: key,
        notificationId: failed[0],
        details: { notificationIds: failed.slice(0, 50), failed: failed.length },
      });
      this.log.error({ course: key, code, notifications: failed.length }, 'gave up on course notifications');
    } else {
      this.log.warn(
        { course: key, code, error: (err as Error).message, retryInMs: Math.round(retryInMs), attempt },
        'course change not planned; will retry',
      );
    }
  }
}

/** The job's reason names the notification that caused it (`tp:<jti>`), and how many more came with it. */
function reasonOf(rows: PendingCourseRow[]): string {
  const last = rows[rows.length - 1]!;
  return `${last.format}:${last.notificationId}${rows.length > 1 ? ` (+${rows.length - 1})` : ''}`;
}
