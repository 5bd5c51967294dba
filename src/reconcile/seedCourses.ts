import { courseKey, type CourseRef } from '../domain/types';
import type { TpSource } from '../domain/ports';
import { describeError } from '../jobs/describeError';
import type { Queryable } from '../store/queryable';
import { refreshCourse } from '../sync/loadCourses';

/**
 * `reconcile --all --courses <list>`: the courses an operator names are read from TP and stored
 * before discovery, so a walk over a database that knows nothing (a lost database being recovered,
 * a new installation) still finds every person FS puts in those courses. Neither TP nor FS offers a
 * list of a semester's courses; the operator's list is the same one the first fill was given.
 */
export async function seedCourses(
  db: Queryable,
  tp: TpSource,
  courses: CourseRef[],
): Promise<{ course: string; error: string }[]> {
  const failed: { course: string; error: string }[] = [];
  for (const course of courses) {
    try {
      await refreshCourse(db, tp, course);
    } catch (err) {
      failed.push({ course: courseKey(course), error: describeError(err) });
    }
  }
  return failed;
}
