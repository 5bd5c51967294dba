import { courseKey, type CourseRef } from '../../src/domain/types';
import { type CourseState, type InstitutionState, staffOf } from './institutionState';
import {
  activityTimeId,
  formatTpTime,
  occurrenceId,
  parseInstant,
  TP_ZONE,
  type TpTimeSeparator,
} from './institutionTimetable';
import type { Institution, InstitutionChange, NewEvent, TpWireEvent } from './institutionTypes';

/**
 * The write half of the Institution API: how tests make "TP moved a lecture" or "FS got a new
 * student" happen. Every mutation reports what changed through `emit`.
 */
export type InstitutionMutations = Pick<
  Institution,
  | 'moveEvent'
  | 'setRoom'
  | 'setSummary'
  | 'cancelEvent'
  | 'deleteEvent'
  | 'addEvent'
  | 'setRegistration'
  | 'removeRegistration'
  | 'addPerson'
  | 'removePerson'
  | 'setEmail'
>;

export function institutionMutations(
  state: InstitutionState,
  emit: (change: InstitutionChange) => void,
): InstitutionMutations {
  const { courseState, eventState, personState } = state;
  const tpChanged = (ref: CourseRef) => emit({ system: 'tp', course: courseState(ref).ref });
  const fsChanged = (resource: 'personer' | 'undervisningsmeldinger', personId: string) =>
    emit({ system: 'fs', resource, personId });

  return {
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
        const found = state.rooms.find((r) => r.id === room);
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
      const e = newEvent(state, c, ref, init);
      c.events.set(e.eventid, e);
      tpChanged(ref);
      return e;
    },
    setRegistration: (personId, ref, activities) => {
      personState(personId);
      state.setReg(personId, courseState(ref).ref, activities);
      fsChanged('undervisningsmeldinger', personId);
    },
    removeRegistration: (personId, ref) => {
      const key = courseKey(ref);
      state.regsByCourse.get(key)?.delete(personId);
      state.regsByPerson.get(personId)?.delete(key);
      fsChanged('undervisningsmeldinger', personId);
    },
    addPerson: (init) => {
      const p = state.createPerson(init.fornavn, init.etternavn, true, init.brukernavn, init.epost);
      state.studentIds.push(p.personlopenummer);
      fsChanged('personer', p.personlopenummer);
      return p;
    },
    removePerson: (personId) => {
      const p = personState(personId);
      state.persons.delete(personId);
      state.byUsername.delete(p.brukernavn);
      for (const key of state.regsByPerson.get(personId)?.keys() ?? []) state.regsByCourse.get(key)?.delete(personId);
      state.regsByPerson.delete(personId);
      const roles = state.roles;
      for (let i = roles.length - 1; i >= 0; i--) if (roles[i]!.personId === personId) roles.splice(i, 1);
      fsChanged('personer', personId);
    },
    setEmail: (personId, email) => {
      personState(personId).epost = email;
      fsChanged('personer', personId);
    },
  };
}

/** A TP event for addEvent: the next free time slot of its activity, staff and room from the catalogue. */
function newEvent(state: InstitutionState, c: CourseState, ref: CourseRef, init: NewEvent): TpWireEvent {
  const actid = init.actid ?? '1';
  const plenary = init.plenary ?? actid === '1';
  const start = parseInstant(init.dtstart).setZone(TP_ZONE);
  const usedSlots = [...c.events.values()].filter((e) => e.actid === actid).map((e) => Number(e.id.split('-').at(-2)));
  const activityId = activityTimeId(ref.semester, ref.courseId, ref.version, actid, Math.max(0, ...usedSlots) + 1);
  const room = init.roomId === undefined ? [] : state.rooms.filter((r) => r.id === init.roomId);
  if (init.roomId !== undefined && room.length === 0) throw new Error(`unknown room ${init.roomId}`);
  return {
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
      const id = state.byUsername.get(u.toLowerCase());
      const p = id === undefined ? undefined : state.persons.get(id);
      if (!p) throw new Error(`unknown username ${u}`);
      return staffOf(p);
    }),
    room: room.map((r) => ({ ...r })),
    weeknr: start.weekNumber,
    weekday: start.weekday,
    tags: [],
  };
}
