import { courseKey, type CourseRef } from '../domain/types';
import type { Metrics } from '../observability/metrics';
import { recordErrorOncePerDay } from '../store/errors';
import { personIdsByUsername } from '../store/persons';
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
  const found = await personIdsByUsername(db, wanted);
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
  await recordErrorOncePerDay(db, {
    kind: 'ignored',
    code: 'TP_STAFF_UNKNOWN',
    message: `TP names lecturer ${username} in ${key}, but neither kada nor FS knows that username`,
    course: key,
    details: { username },
  });
}
