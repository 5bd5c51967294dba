import type { CourseRef } from '../domain/types';
import type { Queryable, Row } from '../store/queryable';

/**
 * The planner's SQL on the inbox, graphile-worker style: rows are claimed with
 * FOR UPDATE SKIP LOCKED inside the transaction that also queues their jobs, so several kada
 * processes can plan at once and a crash leaves the rows pending for the next one.
 */

export interface PendingPersonRow {
  id: string;
  notificationId: string;
  format: string;
  action: 'person' | 'ignored';
  personId: string | null;
}

/** Due person (and stray ignored) notifications, oldest first; locks them for this transaction. */
export async function claimPersonRows(db: Queryable, limit: number): Promise<PendingPersonRow[]> {
  const rows = await db.query(
    `SELECT id, notification_id, format, action, person_id FROM inbox
      WHERE state = 'pending' AND action IN ('person', 'ignored') AND run_at <= now()
      ORDER BY id LIMIT $1
      FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows.map((r: Row) => ({
    id: String(r.id),
    notificationId: r.notification_id,
    format: r.format,
    action: r.action,
    personId: r.person_id,
  }));
}

/** Courses with a pending notification older than the debounce: their burst has had time to gather. */
export async function dueCourses(db: Queryable, debounceMs: number, limit: number): Promise<CourseRef[]> {
  const rows = await db.query(
    `SELECT semester, course_id, course_version FROM inbox
      WHERE state = 'pending' AND action = 'course'
      GROUP BY semester, course_id, course_version
     HAVING min(run_at) <= now() - make_interval(secs => $1::double precision / 1000)
      ORDER BY min(run_at) LIMIT $2`,
    [debounceMs, limit],
  );
  return rows.map((r: Row) => ({
    semester: r.semester,
    courseId: r.course_id,
    version: r.course_version,
  }));
}

export interface PendingCourseRow {
  id: string;
  notificationId: string;
  format: string;
  attempts: number;
  /** Put in the inbox by `kada enqueue-course` (a fill), not sent by TP. */
  manual: boolean;
}

/**
 * Every pending notification of one course, including ones waiting for a retry: one TP read
 * answers them all. Rows another planner holds are skipped; none left means it has the course.
 */
export async function claimCourseRows(db: Queryable, course: CourseRef): Promise<PendingCourseRow[]> {
  const rows = await db.query(
    `SELECT id, notification_id, format, attempts, routing_key FROM inbox
      WHERE state = 'pending' AND action = 'course' AND semester = $1 AND course_id = $2 AND course_version = $3
      ORDER BY id
      FOR UPDATE SKIP LOCKED`,
    [course.semester, course.courseId, course.version],
  );
  return rows.map((r: Row) => ({
    id: String(r.id),
    notificationId: r.notification_id,
    format: r.format,
    attempts: r.attempts,
    manual: typeof r.routing_key === 'string' && r.routing_key.startsWith('manual.'),
  }));
}

export async function markDone(
  db: Queryable,
  ids: string[],
  state: 'processed' | 'ignored',
  note: string | null = null,
): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE inbox SET state = $2, processed_at = now(), attempts = attempts + 1, error = $3 WHERE id =
       ANY($1::bigint[])`,
    [ids, state, note],
  );
}

/**
 * A failed attempt: rows go back to pending with `run_at` pushed out, or to `failed` once they
 * have used their attempts (or at once when retrying cannot help). Returns the rows that failed.
 */
export async function markAttemptFailed(
  db: Queryable,
  ids: string[],
  error: string,
  opts: { retryInMs: number; maxAttempts: number; retry: boolean },
): Promise<string[]> {
  const rows = await db.query(
    // Wrapped in a SELECT: TypeORM returns a bare UPDATE ... RETURNING as [rows, count].
    `WITH u AS (
       UPDATE inbox SET attempts = attempts + 1, error = $2,
              state = CASE WHEN $4 AND attempts + 1 < $5 THEN 'pending' ELSE 'failed' END,
              run_at = CASE WHEN $4 AND attempts + 1 < $5 THEN now() + make_interval(secs => $3::double precision /
                1000) ELSE run_at END,
              processed_at = CASE WHEN $4 AND attempts + 1 < $5 THEN NULL ELSE now() END
        WHERE id = ANY($1::bigint[])
        RETURNING notification_id, state)
     SELECT notification_id, state FROM u`,
    [ids, error.slice(0, 2000), opts.retryInMs, opts.retry, opts.maxAttempts],
  );
  return rows
    .filter((r: { state: string }) => r.state === 'failed')
    .map((r: { notification_id: string }) => r.notification_id);
}

export interface InboxClock {
  /** Seconds since the oldest pending notification arrived (0 when none). */
  lagSeconds: number;
  /** Milliseconds until the next pending notification is due; null when none is pending. */
  nextDueInMs: number | null;
}

export async function inboxClock(db: Queryable, debounceMs: number): Promise<InboxClock> {
  const rows = await db.query(
    `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(received_at)), 0)::float8 AS lag,
            (EXTRACT(EPOCH FROM min(run_at + CASE WHEN action = 'course' THEN make_interval(secs => $1::double
              precision / 1000)
                                                  ELSE interval '0' END) - now()) * 1000)::float8 AS next_ms
       FROM inbox WHERE state = 'pending'`,
    [debounceMs],
  );
  const r = rows[0] ?? {};
  return {
    lagSeconds: Math.max(0, Number(r.lag ?? 0)),
    nextDueInMs: r.next_ms === null || r.next_ms === undefined ? null : Number(r.next_ms),
  };
}

/** Handled notifications are kept a week (the duplicate window), failed ones a month. */
export async function pruneInbox(db: Queryable): Promise<number> {
  const rows = await db.query(
    `WITH d AS (
       DELETE FROM inbox
        WHERE (state IN ('processed', 'ignored') AND processed_at < now() - interval '7 days')
           OR (state = 'failed' AND processed_at < now() - interval '30 days')
       RETURNING 1)
     SELECT count(*)::int AS n FROM d`,
  );
  return rows[0].n;
}
