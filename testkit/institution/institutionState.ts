import { courseKey, type CourseRef } from '../../src/domain/types';
import type { Random } from './institutionRandom';
import type { FsWirePerson, TpWireEvent, TpWireRoom, TpWireStaff } from './institutionTypes';

/**
 * The mutable inside of a synthetic institution: persons, courses with their TP events,
 * registrations and roles, plus the few primitives that keep the indexes consistent. The
 * generator fills it, the query and mutation halves of the Institution API read and change it.
 */

export interface CourseState {
  ref: CourseRef;
  name: string;
  lecturerIds: string[];
  events: Map<string, TpWireEvent>;
}

export interface RoleState {
  personId: string;
  courseKey: string;
  rolle: string;
}

export interface InstitutionState {
  readonly code: string;
  readonly rooms: readonly TpWireRoom[];
  readonly persons: Map<string, FsWirePerson>;
  /** brukernavn -> personlopenummer. */
  readonly byUsername: Map<string, string>;
  readonly studentIds: string[];
  readonly lecturerIds: string[];
  readonly courses: Map<string, CourseState>;
  /** courseKey -> personlopenummer -> activities. */
  readonly regsByCourse: Map<string, Map<string, string[]>>;
  /** personlopenummer -> courseKey -> activities. */
  readonly regsByPerson: Map<string, Map<string, string[]>>;
  readonly roles: RoleState[];

  /** A new person with the next personlopenummer and a free username (or the given one). */
  createPerson(first: string, last: string, hasEmail: boolean, username?: string, email?: string | null): FsWirePerson;
  setReg(personId: string, ref: CourseRef, activities: string[]): void;
  /** The course, event or person, or an error naming what is unknown. */
  courseState(ref: CourseRef): CourseState;
  eventState(ref: CourseRef, eventid: string): TpWireEvent;
  personState(personId: string): FsWirePerson;
}

/** An empty institution; draws the first personlopenummer from `rnd` (so call it before anything else). */
export function createInstitutionState(code: string, rooms: readonly TpWireRoom[], rnd: Random): InstitutionState {
  const persons = new Map<string, FsWirePerson>();
  const byUsername = new Map<string, string>();
  const courses = new Map<string, CourseState>();
  const regsByCourse = new Map<string, Map<string, string[]>>();
  const regsByPerson = new Map<string, Map<string, string[]>>();

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

  const courseState = (ref: CourseRef): CourseState => {
    const c = courses.get(courseKey(ref));
    if (!c) throw new Error(`unknown course ${courseKey(ref)}`);
    return c;
  };

  return {
    code,
    rooms,
    persons,
    byUsername,
    studentIds: [],
    lecturerIds: [],
    courses,
    regsByCourse,
    regsByPerson,
    roles: [],

    createPerson: (first, last, hasEmail, username, email) => {
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
    },
    setReg: (personId, ref, activities) => {
      const key = courseKey(ref);
      if (!regsByCourse.has(key)) regsByCourse.set(key, new Map());
      if (!regsByPerson.has(personId)) regsByPerson.set(personId, new Map());
      regsByCourse.get(key)!.set(personId, [...activities]);
      regsByPerson.get(personId)!.set(key, [...activities]);
    },
    courseState,
    eventState: (ref, eventid) => {
      const e = courseState(ref).events.get(eventid);
      if (!e) throw new Error(`unknown event ${eventid} in ${courseKey(ref)}`);
      return e;
    },
    personState: (personId) => {
      const p = persons.get(personId);
      if (!p) throw new Error(`unknown person ${personId}`);
      return p;
    },
  };
}

/** A person as TP lists them among an event's staff. */
export function staffOf(p: FsWirePerson): TpWireStaff {
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
