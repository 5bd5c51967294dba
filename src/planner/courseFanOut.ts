import type { CourseRef } from '../domain/types';
import type { Metrics } from '../observability/metrics';
import { isRoomTarget, roomTargetId } from '../domain/target';
import { cachedRoomIds, cachedStaff, getCachedCourse, roomIdsOf } from '../store/courses';
import { mappedRoomIds } from '../store/rooms';
import type { Queryable } from '../store/queryable';
import { personsWithCourse } from '../store/syncedEvents';
import { refreshCourse } from '../sync/loadCourses';
import type { FsSource, TpSource } from '../domain/ports';
import { touchesNearTerm } from './nearTerm';
import { resolveStaff } from './resolveStaff';

/**
 * Who a TP change of one course can affect: registered students and teaching roles (FS), everyone
 * who has kada events of the course (they may have to lose some), and the lecturers TP names
 * before and after the change; with room calendars on, the mapped rooms the course books before
 * and after the change too (as `room:<tp_room_id>` targets). The course is read from TP once here
 * and stored, so the jobs that follow use that copy instead of reading TP once per person.
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
  opts: { rooms?: boolean; now?: Date } = {},
): Promise<CourseFanOut> {
  const oldStaff = await cachedStaff(db, course);
  const oldRooms = opts.rooms ? await cachedRoomIds(db, course) : [];
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
  // Rooms with events of the course are among the holders; with room calendars off they are left alone.
  const holders = (await personsWithCourse(db, course)).filter((id) => opts.rooms || !isRoomTarget(id));
  const lecturers = await resolveStaff(db, sources.fs, [...oldStaff, ...newStaff], course, metrics);
  const rooms = opts.rooms ? await mappedRoomIds(db, [...new Set([...oldRooms, ...roomIdsOf(fresh)])]) : [];
  const personIds = [
    ...new Set([
      ...registrations.map((r) => r.personId),
      ...roles.map((r) => r.personId),
      ...holders,
      ...lecturers,
      ...rooms.map(roomTargetId),
    ]),
  ].sort();
  return {
    personIds,
    eventCount: fresh.events.length,
    staff: { before: oldStaff.length, after: newStaff.length },
    nearTerm: touchesNearTerm(before?.course.events ?? null, fresh.events, opts.now ?? new Date()),
  };
}
