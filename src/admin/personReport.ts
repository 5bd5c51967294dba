import { courseKey, type CourseRef } from '../domain/types';
import { recentJobs } from '../jobs/jobStatus';
import { recentErrors, type StoredError } from '../store/errors';
import { getPerson, type PersonStatus } from '../store/persons';
import type { Queryable } from '../store/queryable';
import type { FsSource } from '../domain/ports';
import { jobView, type JobView } from './jobView';

/**
 * One person as an admin sees them: kada's own records (always), plus what FS says they take and
 * teach in the configured semesters (the API and the web page; `kada status` reads the database only).
 */
export interface StoredPersonReport {
  personId: string;
  name: string | null;
  username: string | null;
  email: string | null;
  mailbox: string | null;
  status: PersonStatus | 'unknown';
  optedOut: boolean;
  eventCount: number;
  lastSync: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** Courses kada has events of in the person's calendar. */
  syncedCourses: string[];
  recentJobs: JobView[];
  recentErrors: StoredError[];
}

export interface CourseView {
  course: string;
  courseId: string;
  version: string;
  semester: string;
  /** `student` for a registration, else FS's role code (FORELESER, ...). */
  roles: string[];
  /** Group activities (aktivitetkode) the student is placed in. */
  groups: string[];
}

export interface PersonReport extends StoredPersonReport {
  courses: CourseView[];
  groups: { course: string; activity: string }[];
  /** Set when FS could not be read: courses and groups are then missing, the rest is kada's record. */
  fsUnavailable?: string;
}

/** Null when kada has no trace of the person (no record, no events, no jobs). */
export async function storedPersonReport(
  db: Queryable,
  personId: string,
  opts: { jobs?: number; errors?: number } = {},
): Promise<StoredPersonReport | null> {
  const [p, events, jobs, errors] = await Promise.all([
    getPerson(db, personId),
    db.query(
      `SELECT count(*)::int AS n, COALESCE(array_agg(DISTINCT semester || ':' || course_id || ',' || course_version),
         '{}') AS courses
         FROM synced_events WHERE person_id = $1`,
      [personId],
    ),
    recentJobs(db, { personId, limit: opts.jobs ?? 10 }),
    recentErrors(db, { personId, limit: opts.errors ?? 10 }),
  ]);
  const eventCount: number = events[0]?.n ?? 0;
  if (!p && eventCount === 0 && jobs.length === 0) return null;
  const name = [p?.firstName, p?.lastName].filter(Boolean).join(' ') || null;
  return {
    personId,
    name,
    username: p?.username ?? null,
    email: p?.email ?? null,
    mailbox: p?.mailbox ?? null,
    status: p?.status ?? 'unknown',
    optedOut: p?.optedOut ?? false,
    eventCount,
    lastSync: p?.lastSyncAt ?? null,
    lastError: p?.lastError ?? null,
    lastErrorAt: p?.lastErrorAt ?? null,
    syncedCourses: ((events[0]?.courses ?? []) as string[]).filter(Boolean).sort(),
    recentJobs: jobs.map(jobView),
    recentErrors: errors,
  };
}

/** Courses and groups from FS registrations and teaching roles, for the given semesters. */
export async function enrolment(
  fs: FsSource,
  personId: string,
  semesters: readonly string[],
): Promise<{ courses: CourseView[]; groups: { course: string; activity: string }[] }> {
  const byCourse = new Map<string, CourseView>();
  const entry = (ref: CourseRef) => {
    const key = courseKey(ref);
    let c = byCourse.get(key);
    if (!c) {
      c = { course: key, courseId: ref.courseId, version: ref.version, semester: ref.semester, roles: [], groups: [] };
      byCourse.set(key, c);
    }
    return c;
  };
  const perSemester = await Promise.all(
    semesters.map((s) => Promise.all([fs.registrationsForPerson(personId, s), fs.rolesForPerson(personId, s)])),
  );
  for (const [registrations, roles] of perSemester) {
    for (const r of registrations) {
      const c = entry(r.course);
      if (!c.roles.includes('student')) c.roles.push('student');
      for (const a of r.activities) if (!c.groups.includes(a)) c.groups.push(a);
    }
    for (const t of roles) {
      const c = entry(t.course);
      if (!c.roles.includes(t.role)) c.roles.push(t.role);
    }
  }
  const courses = [...byCourse.values()].sort((a, b) => a.course.localeCompare(b.course));
  for (const c of courses) c.groups.sort();
  return { courses, groups: courses.flatMap((c) => c.groups.map((activity) => ({ course: c.course, activity }))) };
}
