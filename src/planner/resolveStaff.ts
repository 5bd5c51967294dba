import { courseKey, type CourseRef } from '../domain/types';
import type { Metrics } from '../observability/metrics';
import type { Queryable } from '../store/queryable';
import type { FsSource } from '../domain/ports';

/**
 * TP names lecturers by username; jobs are per personlopenummer. kada's own persons table answers
 * most of them; FS is asked for the rest. A username nobody knows is a data error at the source,
 * recorded (once a day per course) and otherwise ignored.
 */
export async function resolveStaff(
  db: Queryable,
  fs: Pick<FsSource, 'findByUsername'>,
  usernames: string[],
  course: CourseRef,
  metrics?: Metrics,
): Promise<string[]> {
  const wanted = [...new Set(usernames.map((u) => u.toLowerCase()).filter(Boolean))].sort();
  if (wanted.length === 0) return [];
  const known: { person_id: string; username: string }[] = await db.query(
    `SELECT DISTINCT ON (lower(username)) person_id, lower(username) AS username FROM persons
      WHERE lower(username) = ANY($1) ORDER BY lower(username), (status = 'active') DESC, updated_at DESC`,
    [wanted],
  );
  const found = new Map(known.map((r) => [r.username, r.person_id]));
  for (const username of wanted) {
    if (found.has(username)) continue;
    const person = await fs.findByUsername(username);
    if (person) {
      found.set(username, person.personId);
      continue;
    }
    metrics?.dataErrors.inc({ code: 'TP_STAFF_UNKNOWN' });
    await recordUnknownStaff(db, username, course);
  }
  return [...new Set(found.values())];
}

async function recordUnknownStaff(db: Queryable, username: string, course: CourseRef): Promise<void> {
  const key = courseKey(course);
  const message = `TP names lecturer ${username} in ${key}, but neither kada nor FS knows that username`;
  // Every change of the course would say it again; one row a day is enough for the admin.
  await db.query(
    `INSERT INTO errors (kind, code, message, course, details)
     SELECT 'ignored', 'TP_STAFF_UNKNOWN', $1, $2, $3
      WHERE NOT EXISTS (SELECT 1 FROM errors WHERE code = 'TP_STAFF_UNKNOWN' AND course = $2 AND message = $1
                          AND created_at > now() - interval '1 day')`,
    [message, key, JSON.stringify({ username })],
  );
}
