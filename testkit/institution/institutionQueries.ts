import { semesterToFs } from '../../src/domain/semester';
import { courseKey, type CourseRef } from '../../src/domain/types';
import type { CourseState, InstitutionState, RoleState } from './institutionState';
import type { FsWirePerson, FsWireRegistration, FsWireRole, Institution, InstitutionCourse } from './institutionTypes';

/** The read half of the Institution API: what the TP and FS emulators serve, and the timetable oracle. */
export type InstitutionQueries = Pick<
  Institution,
  | 'courses'
  | 'course'
  | 'courseName'
  | 'courseEvents'
  | 'courseEventCount'
  | 'event'
  | 'rooms'
  | 'person'
  | 'personByUsername'
  | 'students'
  | 'lecturers'
  | 'aStudent'
  | 'aLecturer'
  | 'registrationsOfPerson'
  | 'registrationsOfCourse'
  | 'rolesOfPerson'
  | 'rolesOfCourse'
  | 'timetableOf'
>;

export function institutionQueries(state: InstitutionState): InstitutionQueries {
  const { courses, persons, byUsername, studentIds, lecturerIds, regsByCourse, regsByPerson, roles } = state;

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

  return {
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
    rooms: () => state.rooms,

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

    timetableOf: (personId, semester) => timetableOf(state, personId, semester),
  };
}

/**
 * The oracle, by the rules of tp.md: plenary events of registered courses, events of the person's
 * groups, and events they teach.
 */
function timetableOf(state: InstitutionState, personId: string, semester: string) {
  const person = state.persons.get(personId);
  if (!person) return [];
  const groups = new Map([...(state.regsByPerson.get(personId) ?? [])]);
  const courseKeys = new Set([
    ...groups.keys(),
    ...state.roles.filter((r) => r.personId === personId).map((r) => r.courseKey),
  ]);
  const out: { course: CourseRef; eventid: string }[] = [];
  for (const key of courseKeys) {
    const c = state.courses.get(key)!;
    if (c.ref.semester !== semester) continue;
    const acts = groups.get(key);
    for (const e of c.events.values()) {
      const asStudent = acts !== undefined && (e.status_plenary || acts.includes(e.actid));
      const asStaff = e.staffs.some((s) => s.id === person.brukernavn);
      if (asStudent || asStaff) out.push({ course: { ...c.ref }, eventid: e.eventid });
    }
  }
  return out;
}

function summary(c: CourseState): InstitutionCourse {
  return {
    ref: { ...c.ref },
    name: c.name,
    lecturerIds: [...c.lecturerIds],
    groups: [...new Set([...c.events.values()].filter((e) => !e.status_plenary).map((e) => e.actid))].sort(
      byGroupNumber,
    ),
    eventCount: c.events.size,
  };
}

const byGroupNumber = (a: string, b: string) => Number(a.split('-')[1]) - Number(b.split('-')[1]) || a.localeCompare(b);
