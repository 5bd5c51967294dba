import type { CourseRef, TpCourse } from '../domain/types';
import type { Queryable } from './queryable';

/**
 * TP course snapshots. A TP change is read once by the planner and stored here, so the jobs of the
 * 1,000 students it fans out to use that copy instead of reading TP 1,000 times.
 */
export interface CachedCourse {
  course: TpCourse;
  fetchedAt: Date;
}

export async function getCachedCourse(db: Queryable, ref: CourseRef): Promise<CachedCourse | null> {
  const rows = await db.query(
    `SELECT course, fetched_at FROM tp_courses WHERE semester = $1 AND course_id = $2 AND course_version = $3`,
    [ref.semester, ref.courseId, ref.version],
  );
  return rows[0] ? { course: rows[0].course as TpCourse, fetchedAt: rows[0].fetched_at } : null;
}

/** When the stored copy was read from TP, without transferring it. */
export async function cachedCourseFetchedAt(db: Queryable, ref: CourseRef): Promise<Date | null> {
  const rows = await db.query(
    `SELECT fetched_at FROM tp_courses WHERE semester = $1 AND course_id = $2 AND course_version = $3`,
    [ref.semester, ref.courseId, ref.version],
  );
  return rows[0]?.fetched_at ?? null;
}

export async function putCachedCourse(db: Queryable, course: TpCourse): Promise<void> {
  const staff = [...new Set(course.events.flatMap((e) => e.staffs.map((s) => s.id.toLowerCase())))];
  await db.query(
    `INSERT INTO tp_courses (semester, course_id, course_version, fetched_at, found, course, staff_usernames, room_ids)
     VALUES ($1, $2, $3, now(), $4, $5, $6, $7)
     ON CONFLICT (semester, course_id, course_version) DO UPDATE
       SET fetched_at = now(), found = EXCLUDED.found, course = EXCLUDED.course,
           staff_usernames = EXCLUDED.staff_usernames, room_ids = EXCLUDED.room_ids`,
    [
      course.course.semester,
      course.course.courseId,
      course.course.version,
      course.events.length > 0,
      JSON.stringify(course),
      staff,
      roomIdsOf(course),
    ],
  );
}

/** TP room ids an occurrence of the course is booked in (room calendars, rooms-ics.md). */
export const roomIdsOf = (course: TpCourse): string[] =>
  [...new Set(course.events.flatMap((e) => (e.rooms ?? []).map((r) => r.id)).filter(Boolean))].sort();

/** Room ids named in the stored copy of a course (the "old" rooms of a change). */
export async function cachedRoomIds(db: Queryable, ref: CourseRef): Promise<string[]> {
  const rows = await db.query(
    `SELECT room_ids FROM tp_courses WHERE semester = $1 AND course_id = $2 AND course_version = $3`,
    [ref.semester, ref.courseId, ref.version],
  );
  return rows[0]?.room_ids ?? [];
}

/** Courses whose stored timetable books the room. */
export async function coursesBookingRoom(db: Queryable, roomId: string, semesters: string[]): Promise<CourseRef[]> {
  const rows: { semester: string; course_id: string; course_version: string }[] = await db.query(
    `SELECT semester, course_id, course_version FROM tp_courses
      WHERE room_ids @> ARRAY[$1::text] AND semester = ANY($2)`,
    [roomId, semesters],
  );
  return rows.map((r) => ({ semester: r.semester, courseId: r.course_id, version: r.course_version }));
}

/** Every TP room the stored timetables of the semesters book, with its names (for `kada rooms suggest`). */
export async function knownTpRooms(
  db: Queryable,
  semesters: string[],
): Promise<{ id: string; roomid: string | null; roomname: string | null; buildingname: string | null }[]> {
  return db.query(
    `SELECT DISTINCT ON (r->>'id') r->>'id' AS id, r->>'roomid' AS roomid, r->>'roomname' AS roomname,
            r->>'buildingname' AS buildingname
       FROM tp_courses, jsonb_array_elements(course->'events') e, jsonb_array_elements(e->'rooms') r
      WHERE semester = ANY($1) AND r->>'id' IS NOT NULL AND coalesce(r->>'videolink', 'false') <> 'true'
      ORDER BY r->>'id'`,
    [semesters],
  );
}

/** Staff usernames named in the stored copy of a course (the "old" events of a change). */
export async function cachedStaff(db: Queryable, ref: CourseRef): Promise<string[]> {
  const rows = await db.query(
    `SELECT staff_usernames FROM tp_courses WHERE semester = $1 AND course_id = $2 AND course_version = $3`,
    [ref.semester, ref.courseId, ref.version],
  );
  return rows[0]?.staff_usernames ?? [];
}

/** Courses whose stored timetable names `username` among the staff (lecturers without an FS role). */
export async function coursesNamingStaff(db: Queryable, username: string, semesters: string[]): Promise<CourseRef[]> {
  const rows: { semester: string; course_id: string; course_version: string }[] = await db.query(
    `SELECT semester, course_id, course_version FROM tp_courses WHERE $1 = ANY(staff_usernames) AND semester = ANY($2)`,
    [username.toLowerCase(), semesters],
  );
  return rows.map((r) => ({ semester: r.semester, courseId: r.course_id, version: r.course_version }));
}

/** Courses kada has read from TP or written events of, in the given semesters. */
export async function knownCourses(db: Queryable, semesters: string[]): Promise<CourseRef[]> {
  const rows: { semester: string; course_id: string; course_version: string }[] = await db.query(
    `SELECT semester, course_id, course_version FROM tp_courses WHERE semester = ANY($1)
     UNION
     SELECT DISTINCT semester, course_id, course_version FROM synced_events WHERE semester = ANY($1)
     ORDER BY 1, 2, 3`,
    [semesters],
  );
  return rows.map((r) => ({ semester: r.semester, courseId: r.course_id, version: r.course_version }));
}
