import { courseKey, type CourseRef } from '../../src/domain/types';
import { semesterToFs, type FsSemester } from '../../src/domain/semester';
import { createRandom, type Random } from './institutionRandom';
import { BUILDINGS, COURSES, FIELDS, FIRST_NAMES, LAST_NAMES, LECTURE_TOPICS } from './institutionCatalogue';
import {
  activityTimeId,
  formatTpTime,
  occurrenceId,
  occurrenceStart,
  parseInstant,
  teachingWeeks,
  TP_ZONE,
  type TpTimeSeparator,
} from './institutionTimetable';

/**
 * A synthetic university: the data behind the TP and FS emulators, in exactly the wire shapes of
 * shared/contracts/tp.md and fs.md. Deterministic from its seed; tests change it at run time
 * through the small mutation API below (that is how "TP moved a lecture" happens).
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

interface CourseState {
  ref: CourseRef;
  name: string;
  lecturerIds: string[];
  events: Map<string, TpWireEvent>;
}

interface RoleState {
  personId: string;
  courseKey: string;
  rolle: string;
}

const LECTURE_HOURS = [8, 10, 12, 14];
const GROUP_HOURS = [8, 10, 12, 14, 16];

export function generateInstitution(opts: InstitutionOptions): Institution {
  const code = opts.institution ?? 'uio';
  const semesters = (opts.semesters ?? ['26h']).map((s) => s.toLowerCase());
  const coursesPerStudent = opts.coursesPerStudent ?? 3;
  const groupSize = opts.groupSize ?? 25;
  const rnd = createRandom(opts.seed);

  const rooms = roomCatalogue();
  const auditoriums = rooms.filter((r) => r.roomid.startsWith('AUD'));
  const seminarRooms = rooms.filter((r) => !r.roomid.startsWith('AUD'));

  const persons = new Map<string, FsWirePerson>();
  const byUsername = new Map<string, string>();
  const studentIds: string[] = [];
  const lecturerIds: string[] = [];
  const courses = new Map<string, CourseState>();
  const regsByCourse = new Map<string, Map<string, string[]>>();
  const regsByPerson = new Map<string, Map<string, string[]>>();
  const roles: RoleState[] = [];
  const listeners = new Set<(c: InstitutionChange) => void>();

  let nextPersonNumber = 10000 + rnd.int(0, 4999);
  const newPersonId = () => {
    nextPersonNumber += rnd.int(1, 7);
    return String(nextPersonNumber);
  };

  const uniqueUsername = (first: string, last: string): string => {
    const f = asciiLower(first);
    const l = asciiLower(last);
    for (const candidate of [`${f}${l.slice(0, 1)}`, `${f}${l.slice(0, 2)}`])
      if (!byUsername.has(candidate)) return candidate;
    for (let n = 2; ; n++) if (!byUsername.has(`${f}${l.slice(0, 1)}${n}`)) return `${f}${l.slice(0, 1)}${n}`;
  };

  const createPerson = (
    first: string,
    last: string,
    hasEmail: boolean,
    username?: string,
    email?: string | null,
  ): FsWirePerson => {
    const brukernavn = username ?? uniqueUsername(first, last);
    if (byUsername.has(brukernavn)) throw new Error(`username ${brukernavn} is taken`);
    const p: FsWirePerson = {
      personlopenummer: newPersonId(),
      fornavn: first,
      etternavn: last,
      brukernavn,
      epost: email !== undefined ? email : hasEmail ? `${brukernavn}@${code}.no` : null,
      feideId: `${brukernavn}@${code}.no`,
    };
    persons.set(p.personlopenummer, p);
    byUsername.set(brukernavn, p.personlopenummer);
    return p;
  };

  // Courses: the catalogue first (so IN1000 always exists), then numbered courses per field.
  const courseCount = Math.max(3, Math.round(opts.students / 40));
  const catalogue = courseCatalogue(courseCount, rnd);

  const lecturerCount = Math.max(2, Math.ceil(courseCount * 0.7));
  for (let i = 0; i < lecturerCount; i++) {
    lecturerIds.push(createPerson(rnd.pick(FIRST_NAMES), rnd.pick(LAST_NAMES), true).personlopenummer);
  }
  for (let i = 0; i < opts.students; i++) {
    studentIds.push(createPerson(rnd.pick(FIRST_NAMES), rnd.pick(LAST_NAMES), !rnd.chance(0.01)).personlopenummer);
  }
  const teachersOf = catalogue.map((_, i) => {
    const primary = lecturerIds[i % lecturerIds.length]!;
    const second = rnd.chance(0.3) ? rnd.pick(lecturerIds) : primary;
    return second === primary ? [primary] : [primary, second];
  });

  for (const semester of semesters) {
    const refs = catalogue.map((c) => ({ courseId: c.code, version: '1', semester }));
    const registered = new Map<string, string[]>(refs.map((r) => [courseKey(r), []]));
    for (const personId of studentIds) {
      for (const ref of rnd.sample(refs, coursesPerStudent)) registered.get(courseKey(ref))!.push(personId);
    }
    refs.forEach((ref, i) => {
      const students = rnd.shuffle(registered.get(courseKey(ref))!);
      const groupCount = Math.max(1, Math.ceil(students.length / groupSize));
      students.forEach((personId, n) => setReg(personId, ref, [`2-${(n % groupCount) + 1}`]));
      for (const personId of teachersOf[i]!) roles.push({ personId, courseKey: courseKey(ref), rolle: 'FORELESER' });
      courses.set(courseKey(ref), {
        ref,
        name: catalogue[i]!.name,
        lecturerIds: teachersOf[i]!,
        events: generateEvents(
          ref,
          groupCount,
          teachersOf[i]!.map((id) => staffOf(persons.get(id)!)),
        ),
      });
    });
  }

  function generateEvents(ref: CourseRef, groupCount: number, lecturers: TpWireStaff[]): Map<string, TpWireEvent> {
    const events = new Map<string, TpWireEvent>();
    const { year, weeks } = teachingWeeks(ref.semester);
    const series = (s: {
      actid: string;
      slot: number;
      weekday: number;
      hour: number;
      room: TpWireRoom;
      sep: TpTimeSeparator;
      fromWeek: number;
    }) => {
      const plenary = s.actid === '1';
      const activityId = activityTimeId(ref.semester, ref.courseId, ref.version, s.actid, s.slot);
      weeks
        .filter((w) => w >= s.fromWeek)
        .forEach((week, n) => {
          const start = occurrenceStart(year, week, s.weekday, s.hour, 15);
          const summary = !plenary
            ? ''
            : n === 0 && s.slot === 1
              ? 'Velkommen og introduksjon'
              : rnd.chance(0.4)
                ? rnd.pick(LECTURE_TOPICS)
                : '';
          const e: TpWireEvent = {
            eventid: occurrenceId(activityId, week, s.weekday),
            id: activityId,
            actid: s.actid,
            courseid: ref.courseId,
            courseversion: ref.version,
            semesterid: ref.semester,
            dtstart: formatTpTime(start, s.sep),
            dtend: formatTpTime(start.plus({ minutes: 105 }), s.sep),
            'teaching-title': plenary ? 'Forelesning' : `Gruppe ${s.actid.split('-')[1]}`,
            summary,
            'teaching-method': plenary ? 'FOR' : 'GR',
            'teaching-method-name': plenary ? 'Forelesning' : 'Gruppeundervisning',
            status_plenary: plenary,
            status: rnd.chance(0.01) ? 'cancelled' : 'active',
            staffs: plenary ? lecturers.map((l) => ({ ...l })) : [],
            room: [{ ...s.room }],
            weeknr: week,
            weekday: s.weekday,
            tags: [],
          };
          events.set(e.eventid, e);
        });
    };
    const lectureDays = rnd.sample([1, 2, 3, 4, 5], rnd.int(1, 2));
    lectureDays.forEach((weekday, i) =>
      series({
        actid: '1',
        slot: i + 1,
        weekday,
        hour: rnd.pick(LECTURE_HOURS),
        room: rnd.pick(auditoriums),
        sep: rnd.chance(0.2) ? ' ' : 'T',
        fromWeek: 0,
      }),
    );
    for (let g = 1; g <= groupCount; g++) {
      // Groups start in the second teaching week, as they do in practice.
      series({
        actid: `2-${g}`,
        slot: 1,
        weekday: rnd.int(1, 5),
        hour: rnd.pick(GROUP_HOURS),
        room: rnd.pick(seminarRooms),
        sep: rnd.chance(0.5) ? ' ' : 'T',
        fromWeek: weeks[1]!,
      });
    }
    return events;
  }

  function setReg(personId: string, ref: CourseRef, activities: string[]) {
    const key = courseKey(ref);
    if (!regsByCourse.has(key)) regsByCourse.set(key, new Map());
    if (!regsByPerson.has(personId)) regsByPerson.set(personId, new Map());
    regsByCourse.get(key)!.set(personId, [...activities]);
    regsByPerson.get(personId)!.set(key, [...activities]);
  }

  function courseState(ref: CourseRef): CourseState {
    const c = courses.get(courseKey(ref));
    if (!c) throw new Error(`unknown course ${courseKey(ref)}`);
    return c;
  }

  function eventState(ref: CourseRef, eventid: string): TpWireEvent {
    const e = courseState(ref).events.get(eventid);
    if (!e) throw new Error(`unknown event ${eventid} in ${courseKey(ref)}`);
    return e;
  }

  function personState(personId: string): FsWirePerson {
    const p = persons.get(personId);
    if (!p) throw new Error(`unknown person ${personId}`);
    return p;
  }

  const emit = (change: InstitutionChange) => {
    for (const l of listeners) l(change);
  };
  const tpChanged = (ref: CourseRef) => emit({ system: 'tp', course: courseState(ref).ref });

  const summary = (c: CourseState): InstitutionCourse => ({
    ref: { ...c.ref },
    name: c.name,
    lecturerIds: [...c.lecturerIds],
    groups: [...new Set([...c.events.values()].filter((e) => !e.status_plenary).map((e) => e.actid))].sort(
      byGroupNumber,
    ),
    eventCount: c.events.size,
  });

  const registrationWire = (personId: string, key: string, activities: string[]): FsWireRegistration => {
    const ref = courses.get(key)!.ref;
    return {
      personlopenummer: personId,
      emne: { kode: ref.courseId, versjon: ref.version },
      semester: semesterToFs(ref.semester),
      aktiviteter: [...activities],
    };
  };

  const roleWire = (r: RoleState): FsWireRole => {
    const ref = courses.get(r.courseKey)!.ref;
    return {
      personlopenummer: r.personId,
      brukernavn: persons.get(r.personId)?.brukernavn ?? '',
      emne: { kode: ref.courseId, versjon: ref.version },
      semester: semesterToFs(ref.semester),
      rolle: r.rolle,
    };
  };

  const pickRole = (ids: string[], index: number, role: string): FsWirePerson => {
    const live = ids.filter((id) => persons.has(id));
    if (live.length === 0) throw new Error(`the institution has no ${role} left`);
    return persons.get(live[((index % live.length) + live.length) % live.length]!)!;
  };

  const institution: Institution = {
    code,
    seed: opts.seed,
    semesters,

    courses: (semester) => [...courses.values()].filter((c) => !semester || c.ref.semester === semester).map(summary),
    course: (ref) => {
      const c = courses.get(courseKey(ref));
      return c && summary(c);
    },
    courseName: (ref) => courses.get(courseKey(ref))?.name,
    courseEvents: (ref) => {
      const c = courses.get(courseKey(ref));
      return c && [...c.events.values()];
    },
    courseEventCount: (ref) => courses.get(courseKey(ref))?.events.size ?? 0,
    event: (ref, eventid) => courses.get(courseKey(ref))?.events.get(eventid),
    rooms: () => rooms,

    person: (id) => persons.get(id),
    personByUsername: (u) => {
      const id = byUsername.get(u.toLowerCase());
      return id === undefined ? undefined : persons.get(id);
    },
    students: () => studentIds.filter((id) => persons.has(id)).map((id) => persons.get(id)!),
    lecturers: () => lecturerIds.filter((id) => persons.has(id)).map((id) => persons.get(id)!),
    aStudent: (index = 0) => pickRole(studentIds, index, 'student'),
    aLecturer: (index = 0) => pickRole(lecturerIds, index, 'lecturer'),

    registrationsOfPerson: (personId, semester) =>
      [...(regsByPerson.get(personId) ?? new Map<string, string[]>())]
        .filter(([key]) => courses.get(key)!.ref.semester === semester)
        .map(([key, acts]) => registrationWire(personId, key, acts)),
    registrationsOfCourse: (ref) =>
      [...(regsByCourse.get(courseKey(ref)) ?? new Map<string, string[]>())].map(([personId, acts]) =>
        registrationWire(personId, courseKey(ref), acts),
      ),
    rolesOfPerson: (personId, semester) =>
      roles.filter((r) => r.personId === personId && courses.get(r.courseKey)!.ref.semester === semester).map(roleWire),
    rolesOfCourse: (ref) => roles.filter((r) => r.courseKey === courseKey(ref)).map(roleWire),

    timetableOf: (personId, semester) => {
      const person = persons.get(personId);
      if (!person) return [];
      const groups = new Map([...(regsByPerson.get(personId) ?? [])]);
      const courseKeys = new Set([
        ...groups.keys(),
        ...roles.filter((r) => r.personId === personId).map((r) => r.courseKey),
      ]);
      const out: { course: CourseRef; eventid: string }[] = [];
      for (const key of courseKeys) {
        const c = courses.get(key)!;
        if (c.ref.semester !== semester) continue;
        const acts = groups.get(key);
        for (const e of c.events.values()) {
          const asStudent = acts !== undefined && (e.status_plenary || acts.includes(e.actid));
          const asStaff = e.staffs.some((s) => s.id === person.brukernavn);
          if (asStudent || asStaff) out.push({ course: { ...c.ref }, eventid: e.eventid });
        }
      }
      return out;
    },

    moveEvent: (ref, eventid, newStartISO, newEndISO) => {
      const e = eventState(ref, eventid);
      const sep: TpTimeSeparator = e.dtstart.includes('T') ? 'T' : ' ';
      const start = parseInstant(newStartISO);
      e.dtstart = formatTpTime(start, sep);
      e.dtend = formatTpTime(parseInstant(newEndISO), sep);
      const local = start.setZone(TP_ZONE);
      e.weeknr = local.weekNumber;
      e.weekday = local.weekday;
      tpChanged(ref);
    },
    setRoom: (ref, eventid, room) => {
      const e = eventState(ref, eventid);
      if (typeof room === 'string') {
        const found = rooms.find((r) => r.id === room);
        if (!found) throw new Error(`unknown room ${room}`);
        e.room = [{ ...found }];
      } else {
        e.room = room.map((r) => ({ ...r }));
      }
      tpChanged(ref);
    },
    setSummary: (ref, eventid, text) => {
      eventState(ref, eventid).summary = text;
      tpChanged(ref);
    },
    cancelEvent: (ref, eventid, cancelled = true) => {
      eventState(ref, eventid).status = cancelled ? 'cancelled' : 'active';
      tpChanged(ref);
    },
    deleteEvent: (ref, eventid) => {
      eventState(ref, eventid);
      courseState(ref).events.delete(eventid);
      tpChanged(ref);
    },
    addEvent: (ref, init) => {
      const c = courseState(ref);
      const actid = init.actid ?? '1';
      const plenary = init.plenary ?? actid === '1';
      const start = parseInstant(init.dtstart).setZone(TP_ZONE);
      const usedSlots = [...c.events.values()]
        .filter((e) => e.actid === actid)
        .map((e) => Number(e.id.split('-').at(-2)));
      const activityId = activityTimeId(ref.semester, ref.courseId, ref.version, actid, Math.max(0, ...usedSlots) + 1);
      const room = init.roomId === undefined ? [] : rooms.filter((r) => r.id === init.roomId);
      if (init.roomId !== undefined && room.length === 0) throw new Error(`unknown room ${init.roomId}`);
      const e: TpWireEvent = {
        eventid: occurrenceId(activityId, start.weekNumber, start.weekday),
        id: activityId,
        actid,
        courseid: c.ref.courseId,
        courseversion: c.ref.version,
        semesterid: c.ref.semester,
        dtstart: formatTpTime(start),
        dtend: formatTpTime(parseInstant(init.dtend)),
        'teaching-title': init.title ?? (plenary ? 'Forelesning' : `Gruppe ${actid.split('-')[1] ?? actid}`),
        summary: init.summary ?? '',
        'teaching-method': plenary ? 'FOR' : 'GR',
        'teaching-method-name': plenary ? 'Forelesning' : 'Gruppeundervisning',
        status_plenary: plenary,
        status: 'active',
        staffs: (init.staffUsernames ?? []).map((u) => {
          const p = institution.personByUsername(u);
          if (!p) throw new Error(`unknown username ${u}`);
          return staffOf(p);
        }),
        room: room.map((r) => ({ ...r })),
        weeknr: start.weekNumber,
        weekday: start.weekday,
        tags: [],
      };
      c.events.set(e.eventid, e);
      tpChanged(ref);
      return e;
    },
    setRegistration: (personId, ref, activities) => {
      personState(personId);
      setReg(personId, courseState(ref).ref, activities);
      emit({ system: 'fs', resource: 'undervisningsmeldinger', personId });
    },
    removeRegistration: (personId, ref) => {
      const key = courseKey(ref);
      regsByCourse.get(key)?.delete(personId);
      regsByPerson.get(personId)?.delete(key);
      emit({ system: 'fs', resource: 'undervisningsmeldinger', personId });
    },
    addPerson: (init) => {
      const p = createPerson(init.fornavn, init.etternavn, true, init.brukernavn, init.epost);
      studentIds.push(p.personlopenummer);
      emit({ system: 'fs', resource: 'personer', personId: p.personlopenummer });
      return p;
    },
    removePerson: (personId) => {
      const p = personState(personId);
      persons.delete(personId);
      byUsername.delete(p.brukernavn);
      for (const key of regsByPerson.get(personId)?.keys() ?? []) regsByCourse.get(key)?.delete(personId);
      regsByPerson.delete(personId);
      for (let i = roles.length - 1; i >= 0; i--) if (roles[i]!.personId === personId) roles.splice(i, 1);
      emit({ system: 'fs', resource: 'personer', personId });
    },
    setEmail: (personId, email) => {
      personState(personId).epost = email;
      emit({ system: 'fs', resource: 'personer', personId });
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return institution;
}

function staffOf(p: FsWirePerson): TpWireStaff {
  return {
    id: p.brukernavn,
    firstname: p.fornavn,
    lastname: p.etternavn,
    shortname: `${p.fornavn[0]}. ${p.etternavn}`,
    url: '',
  };
}

function asciiLower(name: string): string {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .normalize('NFKD')
    .replace(/[^a-z]/g, '');
}

const byGroupNumber = (a: string, b: string) => Number(a.split('-')[1]) - Number(b.split('-')[1]) || a.localeCompare(b);

function roomCatalogue(): TpWireRoom[] {
  const rooms: TpWireRoom[] = [];
  for (const b of BUILDINGS) {
    const room = (roomid: string, roomname: string): TpWireRoom => ({
      id: `${b.id}S${roomid}`,
      roomid,
      roomname,
      roomurl: `https://example.org/map/${b.id}S${roomid}`,
      buildingid: b.id,
      buildingname: b.name,
      buildingacronym: b.acronym,
      campusid: 'BLINDERN',
      videolink: false,
    });
    for (const a of b.auditoriums) rooms.push(room(a.roomid, a.name));
    for (let n = 0; n < b.seminarRooms; n++) {
      const roomid = `${(n % 3) + 1}${String(10 + n * 3).padStart(3, '0')}`;
      rooms.push(room(roomid, `Seminarrom ${roomid}`));
    }
  }
  return rooms;
}

function courseCatalogue(count: number, rnd: Random): { code: string; name: string }[] {
  const out = COURSES.slice(0, count).map((c) => ({ ...c }));
  const used = new Set(out.map((c) => c.code));
  const kinds = ['innføringsemne', 'metodeemne', 'fordypningsemne', 'prosjektemne'];
  for (let k = 0; out.length < count; k++) {
    const field = FIELDS[k % FIELDS.length]!;
    let number = 1000 + 1000 * rnd.int(0, 3) + 10 * rnd.int(1, 99);
    while (used.has(`${field.prefix}${number}`)) number += 10;
    used.add(`${field.prefix}${number}`);
    out.push({
      code: `${field.prefix}${number}`,
      name: `${field.name}, ${kinds[Math.floor(number / 1000) - 1] ?? 'emne'}`,
    });
  }
  return out;
}
