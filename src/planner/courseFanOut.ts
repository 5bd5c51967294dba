import type { CourseRef } from '../domain/types';
import type { Metrics } from '../observability/metrics';
import { cachedStaff, getCachedCourse } from '../store/courses';
import type { Queryable } from '../store/queryable';
import { personsWithCourse } from '../store/syncedEvents';
import { refreshCourse } from '../sync/loadCourses';
import type { FsSource, TpSource } from '../domain/ports';
import { touchesNearTerm } from './nearTerm';
import { resolveStaff } from './resolveStaff';

/**
 * Who a TP change of one course can affect: registered students and teaching roles (FS), everyone
 * who has kada events of the course (they may have to lose some), and the lecturers TP names
 * before and after the change. The course is read from TP once here and stored, so the jobs that
 * follow use that copy instead of reading TP once per person.
 */
export interface CourseFanOut {
  personIds: string[];
  eventCount: number;
  staff: { before: number; after: number };
  /** The change touches events in the next 14 days (nearTerm.ts). */
  nearTerm: boolean;
}

export async function courseFanOut(
  db: Queryable,
  sources: { tp: TpSource; fs: FsSource },
  course: CourseRef,
  metrics?: Metrics,
  confirmDelayMs?: number,
  now = new Date(),
): Promise<CourseFanOut> {
  const oldStaff = await cachedStaff(db, course);
  const before = await getCachedCourse(db, course);
  const fresh = await refreshCourse(
    db,
    sources.tp,
    course,
    confirmDelayMs === undefined ? undefined : { immediate: false, delayMs: confirmDelayMs },
  );
  const newStaff = [...new Set(fresh.events.flatMap((e) => e.staffs.map((s) => s.id.toLowerCase())))];
  const registrations = await sources.fs.registrationsForCourse(course);
  const roles = await sources.fs.rolesForCourse(course);
  const holders = await personsWithCourse(db, course);
  const lecturers = await resolveStaff(db, sources.fs, [...oldStaff, ...newStaff], course, metrics);
  const personIds = [
    ...new Set([...registrations.map((r) => r.personId), ...roles.map((r) => r.personId), ...holders, ...lecturers]),
  ].sort();
  return {
    personIds,
    eventCount: fresh.events.length,
    staff: { before: oldStaff.length, after: newStaff.length },
    nearTerm: touchesNearTerm(before?.course.events ?? null, fresh.events, now),
  };
}
