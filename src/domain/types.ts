/**
 * The public types of kada's core, shared by every pipeline stage. Adapters (TP, FS, Graph)
 * translate remote field names into these and back; nothing else knows the remote shapes.
 */

/** A course in one TP semester, e.g. IN1000 version 1 in 26h. */
export interface CourseRef {
  courseId: string;
  version: string;
  semester: string; // TP code, e.g. "26h"
}

export const courseKey = (c: CourseRef) => `${c.semester}:${c.courseId},${c.version}`;

/** Orders events, writes and records by their sync key: every list kada hands on is sorted by key. */
export const byKey = <T extends { key: string }>(a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A person as FS knows them. */
export interface FsPerson {
  personId: string; // personlopenummer
  firstName: string;
  lastName: string;
  username: string | null;
  email: string | null;
}

/** A student's registration for one course in one semester, with group placements (actid codes). */
export interface Registration {
  personId: string;
  course: CourseRef;
  activities: string[];
}

/** A teaching role (FORELESER, ...) of a person for one course in one semester. */
export interface TeachingRole {
  personId: string;
  username: string | null;
  course: CourseRef;
  role: string;
}

export interface TpStaff {
  id: string; // username
  firstname: string;
  lastname: string;
  shortname?: string;
  url?: string;
}

export interface TpRoom {
  id: string;
  roomid?: string;
  roomname: string;
  roomurl?: string;
  buildingid?: string;
  buildingname?: string;
  buildingacronym?: string;
  campusid?: string;
  videolink?: boolean;
}

/** One validated TP occurrence. Times are kept as TP wrote them; the time module parses them. */
export interface TpEvent {
  eventid: string;
  id: string;
  actid: string;
  courseid: string;
  courseversion: string;
  semesterid: string;
  dtstart: string;
  dtend: string;
  title: string; // teaching-title
  summary: string;
  teachingMethod: string;
  teachingMethodName: string;
  plenary: boolean; // status_plenary
  cancelled: boolean; // status === 'cancelled'
  staffs: TpStaff[];
  rooms: TpRoom[];
  weeknr?: number;
  weekday?: number;
  tags: string[];
}

export interface TpCourse {
  course: CourseRef;
  courseName: string;
  events: TpEvent[];
  /** Raw events that failed validation: recorded as data errors, skipped from sync. */
  rejected: { eventid: string | null; reason: string }[];
}

export type Language = 'nb' | 'nn' | 'en';

/** Settings the pure core needs; a subset of Config so tests can build it in one line. */
export interface ContentSettings {
  institution: string;
  timezone: string;
  language: Language;
}

/** What kada writes to Graph for one event (a Graph event resource body, minus kada's markers). */
export interface EventContent {
  subject: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  showAs: 'busy' | 'free';
  location: { displayName: string };
  locations: { displayName: string; locationUri?: string }[];
  body: { contentType: 'html'; content: string };
  categories: string[];
  isReminderOn: false;
  /** Present only for a weekly series master (SERIES_MODE=weekly). */
  recurrence?: unknown;
}

/** An event a person should have in their calendar. */
export interface DesiredEvent {
  key: string; // tp:<sem>:<course>,<version>:<eventid>
  course: CourseRef;
  content: EventContent;
  hash: string; // content hash, stored in the HASH marker and the state store
  /**
   * SERIES_MODE=weekly: this is not an event of its own but how one week of a series master
   * differs; written by PATCHing the master's instance of `originalDate` (series.ts).
   */
  exceptionOf?: { masterKey: string; originalDate: string };
}

/** What the state store remembers about one event kada wrote. */
export interface SyncedEvent {
  key: string;
  graphEventId: string;
  hash: string;
}

export type WriteOp =
  | { kind: 'create'; key: string; desired: DesiredEvent }
  | { kind: 'update'; key: string; graphEventId: string; desired: DesiredEvent }
  | { kind: 'delete'; key: string; graphEventId: string };

export interface SyncPlan {
  creates: Extract<WriteOp, { kind: 'create' }>[];
  updates: Extract<WriteOp, { kind: 'update' }>[];
  deletes: Extract<WriteOp, { kind: 'delete' }>[];
}

/** A data problem found while computing desired state; recorded, never fatal for the rest. */
export interface DataError {
  code: string; // stable, e.g. TP_EVENT_INVALID
  message: string;
  course?: CourseRef;
  eventid?: string | null;
  personId?: string;
}
