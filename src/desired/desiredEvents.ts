import {
  byKey,
  courseKey,
  type ContentSettings,
  type DataError,
  type DesiredEvent,
  type Registration,
  type TeachingRole,
  type TpCourse,
} from '../domain/types';
import { weeklySeries } from './series';
import { isPreparedCourse, prepareCourse, settingsKey, type PreparedCourse, type PreparedEvent } from './prepareCourse';

export { prepareCourse, CourseContentCache, type PreparedCourse } from './prepareCourse';

export interface DesiredEventsInput {
  personId: string;
  username: string | null;
  /** This person's registrations, with group placements (actid codes). */
  registrations: Registration[];
  /** This person's teaching roles; their usernames count as the person's too. */
  roles: TeachingRole[];
  /** Timetables to choose from; prepared ones (prepareCourse) are used as they are. */
  courses: (TpCourse | PreparedCourse)[];
  settings: ContentSettings;
  /** SERIES_MODE: `weekly` folds unchanged weekly repeats into series masters (series.ts). */
  seriesMode?: 'off' | 'weekly';
}

export interface DesiredEventsResult {
  /** Sorted by key, each key once. */
  events: DesiredEvent[];
  /** Data errors of the courses this person is registered for, teaches or got events from. */
  errors: DataError[];
}

/**
 * The events one person should have (tp.md "Who gets an event"): a registered student gets the
 * plenary events of the course and the events of their groups; anyone gets the events whose
 * staffs include their username. An occurrence picked by several rules is there once. Which
 * courses and semesters to consider is the caller's choice: only `courses` is looked at.
 */
export function desiredEvents(input: DesiredEventsInput): DesiredEventsResult {
  const wanted = settingsKey(input.settings);
  const courses = new Map<string, PreparedCourse>();
  for (const c of input.courses) {
    const prepared = isPreparedCourse(c)
      ? c.settingsKey === wanted
        ? c
        : prepareCourse(c.source, input.settings)
      : prepareCourse(c, input.settings);
    const k = courseKey(prepared.course);
    if (!courses.has(k)) courses.set(k, prepared);
  }

  const groups = new Map<string, Set<string>>();
  for (const r of input.registrations) {
    const k = courseKey(r.course);
    const set = groups.get(k) ?? new Set<string>();
    for (const a of r.activities) set.add(a.trim());
    groups.set(k, set);
  }
  const teaching = new Set(input.roles.map((r) => courseKey(r.course)));
  const usernames = new Set<string>();
  for (const u of [input.username, ...input.roles.map((r) => r.username)]) {
    const name = u?.trim().toLowerCase();
    if (name) usernames.add(name);
  }

  const selected = new Map<string, PreparedEvent>();
  const add = (list: readonly PreparedEvent[] | undefined) => {
    if (list) for (const p of list) selected.set(p.desired.key, p);
  };
  const errors: DataError[] = [];
  for (const [k, course] of courses) {
    const before = selected.size;
    const acts = groups.get(k);
    if (acts) {
      add(course.plenary);
      for (const a of acts) add(course.byActid.get(a));
    }
    for (const u of usernames) add(course.byStaff.get(u));
    if (acts || teaching.has(k) || selected.size > before) errors.push(...course.errors);
  }
  if (input.seriesMode === 'weekly') return { events: weeklySeries(selected.values()), errors };
  const events: DesiredEvent[] = [];
  for (const p of selected.values()) events.push(p.desired);
  return { events: events.sort(byKey), errors };
}
