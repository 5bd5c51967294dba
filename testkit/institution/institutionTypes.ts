import type { CourseRef } from '../../src/domain/types';
import type { FsSemester } from '../../src/domain/semester';

/**
 * The wire shapes of a synthetic university, exactly as shared/contracts/tp.md and fs.md describe
 * them, and the Institution API that the TP and FS emulators read and tests change.
 */

export interface TpWireStaff {
  id: string;
  firstname: string;
  lastname: string;
  shortname: string;
  url: string;
}

export interface TpWireRoom {
  id: string;
  roomid: string;
  roomname: string;
  roomurl: string;
  buildingid: string;
  buildingname: string;
  buildingacronym: string;
  campusid: string;
  videolink: boolean;
}

export interface TpWireEvent {
  eventid: string;
  id: string;
  actid: string;
  courseid: string;
  courseversion: string;
  semesterid: string;
  dtstart: string;
  dtend: string;
  'teaching-title': string;
  summary: string;
  'teaching-method': string;
  'teaching-method-name': string;
  status_plenary: boolean;
  status: 'active' | 'cancelled';
  staffs: TpWireStaff[];
  room: TpWireRoom[];
  weeknr: number;
  weekday: number;
  tags: string[];
}

export interface FsWirePerson {
  personlopenummer: string;
  fornavn: string;
  etternavn: string;
  brukernavn: string;
  epost: string | null;
  feideId: string;
}

export interface FsWireRegistration {
  personlopenummer: string;
  emne: { kode: string; versjon: string };
  semester: FsSemester;
  aktiviteter: string[];
}

export interface FsWireRole {
  personlopenummer: string;
  brukernavn: string;
  emne: { kode: string; versjon: string };
  semester: FsSemester;
  rolle: string;
}

export interface InstitutionCourse {
  ref: CourseRef;
  name: string;
  /** personlopenummer of the course's lecturers (FORELESER). */
  lecturerIds: string[];
  /** Group activity codes (`2-1`, `2-2`, ...) that have events in TP. */
  groups: string[];
  eventCount: number;
}

/** What changed, so a caller (the demo) can publish the matching IntArk notification. */
export type InstitutionChange =
  | { system: 'tp'; course: CourseRef }
  | { system: 'fs'; resource: 'personer' | 'undervisningsmeldinger'; personId: string };

export interface NewEvent {
  dtstart: string; // ISO 8601
  dtend: string;
  actid?: string; // default '1' (plenary)
  title?: string;
  summary?: string;
  plenary?: boolean; // default: actid === '1'
  staffUsernames?: string[];
  roomId?: string;
}

export interface InstitutionOptions {
  seed: number;
  students: number;
  semesters?: string[];
  coursesPerStudent?: number;
  /** Institution code, used in e-mail addresses (`<brukernavn>@<code>.no`). */
  institution?: string;
  /** Students per group (default 25). */
  groupSize?: number;
}

export interface Institution {
  readonly code: string;
  readonly seed: number;
  readonly semesters: readonly string[];

  courses(semester?: string): InstitutionCourse[];
  course(ref: CourseRef): InstitutionCourse | undefined;
  courseName(ref: CourseRef): string | undefined;
  /** The course's events as TP serves them; undefined for a course TP does not know. */
  courseEvents(ref: CourseRef): readonly TpWireEvent[] | undefined;
  courseEventCount(ref: CourseRef): number;
  event(ref: CourseRef, eventid: string): TpWireEvent | undefined;
  rooms(): readonly TpWireRoom[];

  person(personId: string): FsWirePerson | undefined;
  personByUsername(username: string): FsWirePerson | undefined;
  students(): FsWirePerson[];
  lecturers(): FsWirePerson[];
  /** The index-th student (stable for a seed); handy in tests. */
  aStudent(index?: number): FsWirePerson;
  aLecturer(index?: number): FsWirePerson;

  registrationsOfPerson(personId: string, semester: string): FsWireRegistration[];
  registrationsOfCourse(ref: CourseRef): FsWireRegistration[];
  rolesOfPerson(personId: string, semester: string): FsWireRole[];
  rolesOfCourse(ref: CourseRef): FsWireRole[];
  /**
   * The oracle: every TP occurrence the person should have in one semester, by the rules of
   * tp.md (plenary events of registered courses, events of their groups, events they teach).
   */
  timetableOf(personId: string, semester: string): { course: CourseRef; eventid: string }[];

  moveEvent(course: CourseRef, eventid: string, newStartISO: string, newEndISO: string): void;
  /** A catalogue room id (see rooms()) or the complete room list (`[]`: no room). */
  setRoom(course: CourseRef, eventid: string, room: string | TpWireRoom[]): void;
  setSummary(course: CourseRef, eventid: string, summary: string): void;
  cancelEvent(course: CourseRef, eventid: string, cancelled?: boolean): void;
  deleteEvent(course: CourseRef, eventid: string): void;
  addEvent(course: CourseRef, init: NewEvent): TpWireEvent;
  setRegistration(personId: string, course: CourseRef, activities: string[]): void;
  removeRegistration(personId: string, course: CourseRef): void;
  addPerson(init: { fornavn: string; etternavn: string; brukernavn?: string; epost?: string | null }): FsWirePerson;
  removePerson(personId: string): void;
  setEmail(personId: string, email: string | null): void;
  /** Called after every mutation; returns an unsubscribe function. */
  onChange(listener: (change: InstitutionChange) => void): () => void;
}
