import type { Queryable, Row } from './queryable';

/** The error log an admin reads (`GET /api/errors`, the web page, `kada status`). */
export type ErrorKind = 'data' | 'source' | 'graph' | 'person' | 'dead_letter' | 'ignored' | 'job';

export interface ErrorRecord {
  kind: ErrorKind;
  code: string;
  message: string;
  personId?: string | null;
  course?: string | null;
  notificationId?: string | null;
  jobId?: string | number | null;
  details?: unknown;
}

export async function recordError(db: Queryable, e: ErrorRecord): Promise<void> {
  await db.query(
    `INSERT INTO errors (kind, code, message, person_id, course, notification_id, job_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      e.kind,
      e.code,
      e.message.slice(0, 2000),
      e.personId ?? null,
      e.course ?? null,
      e.notificationId ?? null,
      e.jobId ?? null,
      e.details === undefined ? null : JSON.stringify(e.details),
    ],
  );
}

export interface StoredError extends ErrorRecord {
  id: string;
  createdAt: Date;
}

export async function recentErrors(
  db: Queryable,
  opts: { limit?: number; personId?: string; kind?: ErrorKind } = {},
): Promise<StoredError[]> {
  const rows = await db.query(
    `SELECT id, kind, code, message, person_id, course, notification_id, job_id, details, created_at FROM errors
      WHERE ($1::text IS NULL OR person_id = $1) AND ($2::text IS NULL OR kind = $2)
      ORDER BY created_at DESC, id DESC LIMIT $3`,
    [opts.personId ?? null, opts.kind ?? null, Math.min(opts.limit ?? 100, 1000)],
  );
  return rows.map((r: Row) => ({
    id: String(r.id),
    kind: r.kind,
    code: r.code,
    message: r.message,
    personId: r.person_id,
    course: r.course,
    notificationId: r.notification_id,
    jobId: r.job_id === null ? null : String(r.job_id),
    details: r.details,
    createdAt: r.created_at,
  }));
}

/**
 * Records an error unless the same code, course and message was recorded within the last day: for
 * data errors every change of a course would report again, and one row a day is enough for the admin.
 */
export async function recordErrorOncePerDay(db: Queryable, e: ErrorRecord & { course: string }): Promise<void> {
  await db.query(
    `INSERT INTO errors (kind, code, message, course, details)
     SELECT $4, $5, $1, $2, $3
      WHERE NOT EXISTS (SELECT 1 FROM errors WHERE code = $5 AND course = $2 AND message = $1
                          AND created_at > now() - interval '1 day')`,
    [e.message.slice(0, 2000), e.course, e.details === undefined ? null : JSON.stringify(e.details), e.kind, e.code],
  );
}
