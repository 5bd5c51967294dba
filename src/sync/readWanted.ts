import { desiredEvents } from '../desired/desiredEvents';
import { courseKey, type CourseRef, type Registration, type TeachingRole } from '../domain/types';
import { coursesNamingStaff } from '../store/courses';
import { loadCourses } from './loadCourses';
import type { SyncContext, SyncOptions, Wanted } from './personJob';

/**
 * What FS and TP say a person should have: the same events for the mailbox (readPerson) and for the
 * person's ICS feed (src/ics/), so the two never differ. In two steps, so the feed can keep the FS
 * step while only TP changed: the person's registrations and teaching roles (FS), then their courses'
 * timetables (the stored TP copies, TP when they are old) and the events those give.
 */

const HOUR = 3_600_000;

/** FS's registrations (with group placements) and teaching roles of a person in the configured semesters. */
export interface Enrolment {
  registrations: Registration[];
  roles: TeachingRole[];
}

export async function readEnrolment(ctx: Pick<SyncContext, 'fs' | 'config'>, personId: string): Promise<Enrolment> {
  const registrations: Registration[] = [];
  const roles: TeachingRole[] = [];
  for (const sem of ctx.config.semesters) {
    const [r, t] = await Promise.all([
      ctx.fs.registrationsForPerson(personId, sem),
      ctx.fs.rolesForPerson(personId, sem),
    ]);
    registrations.push(...r);
    roles.push(...t);
  }
  return { registrations, roles };
}

/** The courses an enrolment names, in the configured semesters. */
export function enrolledCourses(enrolment: Enrolment, semesters: readonly string[]): CourseRef[] {
  const refs = new Map<string, CourseRef>();
  for (const c of [...enrolment.registrations.map((r) => r.course), ...enrolment.roles.map((r) => r.course)]) {
    if (semesters.includes(c.semester)) refs.set(courseKey(c), c);
  }
  return [...refs.values()];
}

/**
 * The desired events of a person with this enrolment and username: their courses, and every stored
 * course whose timetable names the username among the staff (lecturers without an FS role, and TP
 * staff FS does not know at all).
 */
export async function wantedFrom(
  ctx: Pick<SyncContext, 'db' | 'tp' | 'config'>,
  who: { personId: string; username: string | null },
  enrolment: Enrolment,
  opts: Pick<SyncOptions, 'courseMaxAgeMs' | 'coursesFreshSince' | 'confirmNow'>,
): Promise<Wanted> {
  const { db, config } = ctx;
  const refs = new Map<string, CourseRef>();
  for (const c of enrolledCourses(enrolment, config.semesters)) refs.set(courseKey(c), c);
  if (who.username)
    for (const c of await coursesNamingStaff(db, who.username, config.semesters)) refs.set(courseKey(c), c);
  const settings = { institution: config.institution, timezone: config.timezone, language: config.language };
  const courses = await loadCourses(db, ctx.tp, [...refs.values()], {
    maxAgeMs: opts.courseMaxAgeMs ?? HOUR,
    freshSince: opts.coursesFreshSince,
    settings,
    confirm: { immediate: opts.confirmNow === true, delayMs: config.confirmDelayMs },
  });
  const result = desiredEvents({
    personId: who.personId,
    username: who.username,
    registrations: enrolment.registrations,
    roles: enrolment.roles,
    courses,
    settings,
    seriesMode: config.seriesMode,
  });
  return { events: result.events, dataErrors: result.errors, courses: [...refs.keys()].sort() };
}
