import { courseKey } from '../domain/types';
import { describeError } from '../jobs/describeError';
import { resolveStaff } from '../planner/resolveStaff';
import { cachedStaff, knownCourses } from '../store/courses';
import { addPersons } from '../store/persons';
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
      // A person FS once did not know (gone) but who is registered again is walked again too.
      result.added += await addPersons(db, ids);
    } catch (err) {
      result.failed.push({ course: courseKey(course), error: describeError(err) });
    }
  }
  return result;
}
