import { courseKey, type CourseRef } from '../../src/domain/types';
import { BUILDINGS, COURSES, FIELDS, FIRST_NAMES, LAST_NAMES, LECTURE_TOPICS } from './institutionCatalogue';
import type { Random } from './institutionRandom';
import { type InstitutionState, staffOf } from './institutionState';
import {
  activityTimeId,
  formatTpTime,
  occurrenceId,
  occurrenceStart,
  type TpTimeSeparator,
  teachingWeeks,
} from './institutionTimetable';
import type { TpWireEvent, TpWireRoom, TpWireStaff } from './institutionTypes';

/**
 * Fills an empty institution from its seed: the course catalogue, lecturers and students, then per
 * semester the registrations (spread over groups), the FORELESER roles and each course's TP events.
 * Every draw from `rnd` happens in a fixed order, so the same seed gives the same institution.
 */

export interface GenerateOptions {
  students: number;
  semesters: readonly string[];
  coursesPerStudent: number;
  groupSize: number;
}

type CatalogueCourse = { code: string; name: string };

const LECTURE_HOURS = [8, 10, 12, 14];
const GROUP_HOURS = [8, 10, 12, 14, 16];

export function populateInstitution(state: InstitutionState, opts: GenerateOptions, rnd: Random): void {
  // Courses: the catalogue first (so IN1000 always exists), then numbered courses per field.
  const courseCount = Math.max(3, Math.round(opts.students / 40));
  const catalogue = courseCatalogue(courseCount, rnd);
  createPersons(state, Math.max(2, Math.ceil(courseCount * 0.7)), opts.students, rnd);
  const teachersOf = catalogue.map((_, i) => {
    const primary = state.lecturerIds[i % state.lecturerIds.length]!;
    const second = rnd.chance(0.3) ? rnd.pick(state.lecturerIds) : primary;
    return second === primary ? [primary] : [primary, second];
  });
  for (const semester of opts.semesters) populateSemester(state, semester, catalogue, teachersOf, opts, rnd);
}

function createPersons(state: InstitutionState, lecturerCount: number, studentCount: number, rnd: Random): void {
  for (let i = 0; i < lecturerCount; i++) {
    state.lecturerIds.push(state.createPerson(rnd.pick(FIRST_NAMES), rnd.pick(LAST_NAMES), true).personlopenummer);
  }
  for (let i = 0; i < studentCount; i++) {
    const student = state.createPerson(rnd.pick(FIRST_NAMES), rnd.pick(LAST_NAMES), !rnd.chance(0.01));
    state.studentIds.push(student.personlopenummer);
  }
}

/** Every student takes `coursesPerStudent` of the semester's courses, spread round-robin over groups. */
function populateSemester(
  state: InstitutionState,
  semester: string,
  catalogue: readonly CatalogueCourse[],
  teachersOf: readonly string[][],
  opts: GenerateOptions,
  rnd: Random,
): void {
  const refs = catalogue.map((c) => ({ courseId: c.code, version: '1', semester }));
  const registered = new Map<string, string[]>(refs.map((r) => [courseKey(r), []]));
  for (const personId of state.studentIds) {
    for (const ref of rnd.sample(refs, opts.coursesPerStudent)) registered.get(courseKey(ref))!.push(personId);
  }
  refs.forEach((ref, i) => {
    const students = rnd.shuffle(registered.get(courseKey(ref))!);
    const groupCount = Math.max(1, Math.ceil(students.length / opts.groupSize));
    students.forEach((personId, n) => state.setReg(personId, ref, [`2-${(n % groupCount) + 1}`]));
    const teachers = teachersOf[i]!;
    for (const personId of teachers) state.roles.push({ personId, courseKey: courseKey(ref), rolle: 'FORELESER' });
    const lecturers = teachers.map((id) => staffOf(state.persons.get(id)!));
    state.courses.set(courseKey(ref), {
      ref,
      name: catalogue[i]!.name,
      lecturerIds: teachers,
      events: generateEvents(ref, groupCount, lecturers, state.rooms, rnd),
    });
  });
}

interface SeriesSpec {
  actid: string;
  slot: number;
  weekday: number;
  hour: number;
  room: TpWireRoom;
  sep: TpTimeSeparator;
  fromWeek: number;
}

/** One or two weekly lectures in an auditorium, and one weekly session per group in a seminar room. */
function generateEvents(
  ref: CourseRef,
  groupCount: number,
  lecturers: TpWireStaff[],
  rooms: readonly TpWireRoom[],
  rnd: Random,
): Map<string, TpWireEvent> {
  const auditoriums = rooms.filter((r) => r.roomid.startsWith('AUD'));
  const seminarRooms = rooms.filter((r) => !r.roomid.startsWith('AUD'));
  const events = new Map<string, TpWireEvent>();
  const { weeks } = teachingWeeks(ref.semester);
  const series = (s: SeriesSpec) => {
    for (const e of seriesEvents(ref, s, lecturers, rnd)) events.set(e.eventid, e);
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

/** The weekly occurrences of one activity time, from `fromWeek` to the end of the teaching weeks. */
function seriesEvents(ref: CourseRef, s: SeriesSpec, lecturers: TpWireStaff[], rnd: Random): TpWireEvent[] {
  const { year, weeks } = teachingWeeks(ref.semester);
  const plenary = s.actid === '1';
  const activityId = activityTimeId(ref.semester, ref.courseId, ref.version, s.actid, s.slot);
  return weeks
    .filter((w) => w >= s.fromWeek)
    .map((week, n): TpWireEvent => {
      const start = occurrenceStart(year, week, s.weekday, s.hour, 15);
      const summary = !plenary
        ? ''
        : n === 0 && s.slot === 1
          ? 'Velkommen og introduksjon'
          : rnd.chance(0.4)
            ? rnd.pick(LECTURE_TOPICS)
            : '';
      return {
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
    });
}

/** Every room of the catalogue's buildings: their auditoriums, then numbered seminar rooms. */
export function roomCatalogue(): TpWireRoom[] {
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

function courseCatalogue(count: number, rnd: Random): CatalogueCourse[] {
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
