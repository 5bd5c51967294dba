import type { CourseRef } from '../domain/types';
import type { Enrolment } from '../sync/readWanted';
import type { Queryable } from './queryable';

/** The ICS feed tables (db/migrations/0012-ics-feeds.ts): tokens by hash, the last build, per-VEVENT stamps. */

/** A feed as the serving path sees it: never the token, and the body only when it is sent. */
export interface FeedRecord {
  id: string;
  subject: string;
  /** Course refs FS named at the last build (the person's registrations and roles). */
  courses: CourseRef[];
  /** The username FS gave at the last build (its staff courses count too). */
  username: string | null;
  enrolmentAt: Date | null;
  /** persons.updated_at when FS was last read for the feed. */
  personSeen: Date | null;
  sources: string | null;
  etag: string | null;
}

const FEED_COLUMNS_FOR_CTE = `id::text AS id, subject, courses,
  coalesce(enrolment->>'username', CASE WHEN subject LIKE 'tp:%' THEN substr(subject, 4) END) AS username,
  enrolment_at, person_seen, sources, etag`;

const toRecord = (r: Record<string, unknown>): FeedRecord => ({
  id: r.id as string,
  subject: r.subject as string,
  courses: (r.courses as CourseRef[]) ?? [],
  username: (r.username as string | null) ?? null,
  enrolmentAt: (r.enrolment_at as Date | null) ?? null,
  personSeen: (r.person_seen as Date | null) ?? null,
  sources: (r.sources as string | null) ?? null,
  etag: (r.etag as string | null) ?? null,
});

export async function activeFeedOf(db: Queryable, subject: string): Promise<{ nonce: Buffer; hash: Buffer } | null> {
  const rows = await db.query(`SELECT token_nonce, token_hash FROM ics_feeds WHERE subject = $1`, [subject]);
  return rows[0] ? { nonce: rows[0].token_nonce, hash: rows[0].token_hash } : null;
}

/** False when the subject already has a feed (another create got there first). */
export async function insertFeed(db: Queryable, subject: string, nonce: Buffer, hash: Buffer): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO ics_feeds (subject, token_nonce, token_hash) VALUES ($1, $2, $3)
     ON CONFLICT (subject) DO NOTHING RETURNING id`,
    [subject, nonce, hash],
  );
  return rows.length > 0;
}

/** Ends the subject's feed; its stamps go with it. Returns whether there was one. */
export async function deleteFeed(db: Queryable, subject: string): Promise<boolean> {
  const rows = await db.query(`DELETE FROM ics_feeds WHERE subject = $1 RETURNING id`, [subject]);
  return rows.length > 0;
}

/** What FS said of a feed's person at its last build. */
export type FeedEnrolment = Enrolment & { username: string | null };

export async function feedEnrolment(db: Queryable, id: string): Promise<FeedEnrolment | null> {
  const rows = await db.query(`SELECT enrolment FROM ics_feeds WHERE id = $1`, [id]);
  return (rows[0]?.enrolment as FeedEnrolment | null) ?? null;
}

export async function feedBody(db: Queryable, id: string): Promise<string | null> {
  const rows = await db.query(`SELECT body FROM ics_feeds WHERE id = $1`, [id]);
  return rows[0]?.body ?? null;
}

export interface FeedBuild {
  enrolment: FeedEnrolment | null;
  enrolmentAt: Date | null;
  personSeen: Date | null;
  courses: CourseRef[];
  sources: string;
  etag: string;
  body: string;
}

export async function saveBuild(db: Queryable, id: string, b: FeedBuild): Promise<void> {
  await db.query(
    `UPDATE ics_feeds SET enrolment = $2, enrolment_at = $3, person_seen = $4, courses = $5, sources = $6, etag = $7,
        body = $8, built_at = now()
      WHERE id = $1`,
    [
      id,
      b.enrolment ? JSON.stringify(b.enrolment) : null,
      b.enrolmentAt,
      b.personSeen,
      JSON.stringify(b.courses),
      b.sources,
      b.etag,
      b.body,
    ],
  );
}

/**
 * Records each component's content hash and returns its SEQUENCE and DTSTAMP: a new component starts at
 * 0, a changed one goes up by one and is stamped now. One statement, so replicas building the same
 * change at once raise it once (the second finds the hash already equal).
 */
export async function stampComponents(
  db: Queryable,
  feedId: string,
  components: readonly { key: string; hash: string }[],
): Promise<Map<string, { sequence: number; stamp: Date }>> {
  const keys = components.map((c) => c.key);
  await db.query(
    `INSERT INTO ics_events (feed_id, component, content_hash)
     SELECT $1, k, h FROM unnest($2::text[], $3::text[]) AS x(k, h)
     ON CONFLICT (feed_id, component) DO UPDATE
       SET content_hash = EXCLUDED.content_hash, sequence = ics_events.sequence + 1,
           stamped_at = date_trunc('second', now())
       WHERE ics_events.content_hash <> EXCLUDED.content_hash`,
    [feedId, keys, components.map((c) => c.hash)],
  );
  const rows: { component: string; sequence: number; stamped_at: Date }[] = await db.query(
    `SELECT component, sequence, stamped_at FROM ics_events WHERE feed_id = $1 AND component = ANY($2)`,
    [feedId, keys],
  );
  return new Map(rows.map((r) => [r.component, { sequence: r.sequence, stamp: r.stamped_at }]));
}

/** What a feed's content depends on in the database: the person's row and their courses' stored copies. */
export interface SourceVersions {
  /** persons.updated_at: a person job ran (FS may have changed); null for TP staff and unknown persons. */
  person: Date | null;
  /** `<course key>@<fetched_at ms>` of each stored course, sorted. */
  courses: string[];
}

/**
 * The versions of a subject's sources: the given courses (by their refs, as JSON) and every stored
 * course of the semesters whose timetable names the username among the staff. $1 subject (a person's
 * row is looked up by it), $2 refs, $3 username, $4 semesters.
 */
const VERSIONS = `
  (SELECT updated_at FROM persons WHERE person_id = %SUBJECT%) AS person_version,
  coalesce((SELECT array_agg(v ORDER BY v) FROM (
    SELECT t.semester || ':' || t.course_id || ',' || t.course_version || '@'
           || (extract(epoch FROM t.fetched_at) * 1000)::bigint AS v
      FROM tp_courses t
      JOIN jsonb_to_recordset(%COURSES%) AS r("courseId" text, version text, semester text)
        ON t.semester = r.semester AND t.course_id = r."courseId" AND t.course_version = r.version
    UNION
    SELECT t.semester || ':' || t.course_id || ',' || t.course_version || '@'
           || (extract(epoch FROM t.fetched_at) * 1000)::bigint
      FROM tp_courses t WHERE %USERNAME% IS NOT NULL AND lower(%USERNAME%) = ANY(t.staff_usernames)
       AND t.semester = ANY(%SEMESTERS%)) AS s), '{}') AS course_versions`;

const versionsOf = (r: Record<string, unknown>): SourceVersions => ({
  person: (r.person_version as Date | null) ?? null,
  courses: (r.course_versions as string[]) ?? [],
});

export async function sourceVersions(
  db: Queryable,
  q: { personId: string | null; courses: readonly CourseRef[]; username: string | null; semesters: string[] },
): Promise<SourceVersions> {
  const sql = VERSIONS.replace(/%SUBJECT%/g, '$1')
    .replace(/%COURSES%/g, '$2::jsonb')
    .replace(/%USERNAME%/g, '$3::text')
    .replace(/%SEMESTERS%/g, '$4');
  const rows = await db.query(`SELECT ${sql}`, [q.personId, JSON.stringify(q.courses), q.username, q.semesters]);
  return versionsOf(rows[0] ?? {});
}

/**
 * The one statement every feed request starts with, known token or not: the feed by the token's hash
 * (its unique index) and, for a feed found, its sources' versions, so an unchanged feed is answered
 * after this statement alone. A TP staff subject (`tp:<username>`) has no persons row and names its
 * username itself.
 */
export async function feedByTokenHash(
  db: Queryable,
  hash: Buffer,
  semesters: string[],
): Promise<{ feed: FeedRecord; versions: SourceVersions } | null> {
  const sql = VERSIONS.replace(/%SUBJECT%/g, 'f.subject')
    .replace(/%COURSES%/g, 'f.courses')
    .replace(/%USERNAME%/g, 'f.username')
    .replace(/%SEMESTERS%/g, '$2');
  const rows = await db.query(
    `WITH f AS (
       SELECT ${FEED_COLUMNS_FOR_CTE} FROM ics_feeds WHERE token_hash = $1
     )
     SELECT f.*, ${sql} FROM f`,
    [hash, semesters],
  );
  return rows[0] ? { feed: toRecord(rows[0]), versions: versionsOf(rows[0]) } : null;
}
