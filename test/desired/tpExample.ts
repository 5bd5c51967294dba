import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ContentSettings, TpCourse, TpEvent } from '../../src/domain/types';

/**
 * Test-only mapper from TP's JSON (fixtures/ is a copy of contracts/examples) to TpEvent; the real one lives in the
 * TP adapter.
 */
export function mapTpEvent(raw: Record<string, any>): TpEvent {
  return {
    eventid: raw.eventid,
    id: raw.id,
    actid: raw.actid,
    courseid: raw.courseid,
    courseversion: raw.courseversion,
    semesterid: raw.semesterid,
    dtstart: raw.dtstart,
    dtend: raw.dtend,
    title: raw['teaching-title'] ?? '',
    summary: raw.summary ?? '',
    teachingMethod: raw['teaching-method'] ?? '',
    teachingMethodName: raw['teaching-method-name'] ?? '',
    plenary: raw.status_plenary === true,
    cancelled: raw.status === 'cancelled',
    staffs: raw.staffs ?? [],
    rooms: raw.room ?? [],
    weeknr: raw.weeknr,
    weekday: raw.weekday,
    tags: raw.tags ?? [],
  };
}

export function exampleCourse(): TpCourse {
  const raw = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/tp-course-IN1000-26h.json'), 'utf8'));
  return {
    course: { courseId: raw.courseid, version: raw.courseversion, semester: raw.semesterid },
    courseName: raw.coursename,
    events: raw.events.map(mapTpEvent),
    rejected: [],
  };
}

/** The example's plenary lecture (26H-IN1000-1-1-1-1+35+2) and cancelled group session (2-3). */
export const lecture = () => exampleCourse().events[0]!;
export const cancelledGroup = () => exampleCourse().events[1]!;

export const settings = (language: ContentSettings['language'] = 'nb'): ContentSettings => ({
  institution: 'uio',
  timezone: 'Europe/Oslo',
  language,
});

/** A plain TP event to vary in tests. */
export function tpEvent(overrides: Partial<TpEvent> = {}): TpEvent {
  return { ...lecture(), ...overrides };
}
