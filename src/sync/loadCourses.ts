import type { CourseRef, TpCourse } from '../domain/types';
import { courseKey } from '../domain/types';
import { getCachedCourse, putCachedCourse } from '../store/courses';
import { recordError } from '../store/errors';
import type { Queryable } from '../store/queryable';
import type { TpSource } from './ports';

/**
 * Course timetables for a sync: the stored copy when it is recent enough (the planner refreshes it
 * on every TP notification), TP otherwise. A fresh read records the course's data errors once.
 */
export async function loadCourses(
  db: Queryable,
  tp: TpSource,
  refs: CourseRef[],
  opts: { maxAgeMs: number; now?: number },
): Promise<TpCourse[]> {
  const now = opts.now ?? Date.now();
  const out: TpCourse[] = [];
  for (const ref of refs) {
    const cached = await getCachedCourse(db, ref);
    if (cached && now - cached.fetchedAt.getTime() <= opts.maxAgeMs) {
      out.push(cached.course);
      continue;
    }
    out.push(await refreshCourse(db, tp, ref));
  }
  return out;
}

export async function refreshCourse(db: Queryable, tp: TpSource, ref: CourseRef): Promise<TpCourse> {
  const course = await tp.getCourse(ref);
  await putCachedCourse(db, course);
  for (const r of course.rejected) {
    await recordError(db, {
      kind: 'data',
      code: 'TP_EVENT_INVALID',
      message: `TP event ${r.eventid ?? '(no eventid)'} of ${courseKey(ref)} skipped: ${r.reason}`,
      course: courseKey(ref),
      details: { eventid: r.eventid },
    });
  }
  return course;
}

/** Courses whose stored timetable names `username` among the staff (lecturers without an FS role). */
export async function coursesNamingStaff(db: Queryable, username: string, semesters: string[]): Promise<CourseRef[]> {
  const rows: { semester: string; course_id: string; course_version: string }[] = await db.query(
    `SELECT semester, course_id, course_version FROM tp_courses WHERE $1 = ANY(staff_usernames) AND semester = ANY($2)`,
    [username.toLowerCase(), semesters],
  );
  return rows.map((r) => ({ semester: r.semester, courseId: r.course_id, version: r.course_version }));
}
