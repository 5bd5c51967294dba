import { courseKey, type CourseRef } from '../domain/types';
import { describeError } from '../jobs/describeError';
import { resolveStaff } from '../planner/resolveStaff';
import { cachedStaff } from '../store/courses';
import type { Queryable } from '../store/queryable';
import type { FsSource } from '../domain/ports';

/**
 * kada learns about persons from notifications. One that was never delivered (an FS registration
 * lost before it reached the broker, a queue purged by hand) would leave a student without a
 * timetable that no nightly run would ever notice, because the walk only visits known persons.
 * Before a fresh `reconcile --all`, every course kada knows in the synced semesters is asked for
 * its students and teachers (FS), and its lecturers (TP's staff, through FS usernames); persons kada
 * has never seen are added, so the walk syncs them like everyone else.
 */
export interface DiscoveryResult {
  courses: number;
  /** Persons added to the walk (never seen, or gone and registered again). */
  added: number;
  failed: { course: string; error: string }[];
}

/** Courses kada has read from TP or written events of, in the given semesters. */
async function knownCourses(db: Queryable, semesters: string[]): Promise<CourseRef[]> {
  const rows: { semester: string; course_id: string; course_version: string }[] = await db.query(
    `SELECT semester, course_id, course_version FROM tp_courses WHERE semester = ANY($1)
     UNION
     SELECT DISTINCT semester, course_id, course_version FROM synced_events WHERE semester = ANY($1)
     ORDER BY 1, 2, 3`,
    [semesters],
  );
  return rows.map((r) => ({ semester: r.semester, courseId: r.course_id, version: r.course_version }));
}

export async function discoverPersons(
  db: Queryable,
  fs: Pick<FsSource, 'registrationsForCourse' | 'rolesForCourse' | 'findByUsername'>,
  semesters: string[],
): Promise<DiscoveryResult> {
  const courses = await knownCourses(db, semesters);
  const result: DiscoveryResult = { courses: courses.length, added: 0, failed: [] };
  for (const course of courses) {
    try {
      const [registrations, roles] = await Promise.all([fs.registrationsForCourse(course), fs.rolesForCourse(course)]);
      const lecturers = await resolveStaff(db, fs, await cachedStaff(db, course), course);
      const ids = [
        ...new Set([...registrations.map((r) => r.personId), ...roles.map((r) => r.personId), ...lecturers]),
      ];
      if (ids.length === 0) continue;
      const [{ n }] = await db.query(
        // A person FS once did not know (gone) but who is registered again is walked again too.
        `WITH added AS (
           INSERT INTO persons (person_id) SELECT unnest($1::text[])
           ON CONFLICT (person_id) DO UPDATE SET status = 'active', updated_at = now() WHERE persons.status = 'gone'
           RETURNING 1)
         SELECT count(*)::int AS n FROM added`,
        [ids],
      );
      result.added += n;
    } catch (err) {
      result.failed.push({ course: courseKey(course), error: describeError(err) });
    }
  }
  return result;
}
