import { describe, it, expect } from 'vitest';
import { CourseContentCache, desiredEvents, prepareCourse } from '../../src/desired/desiredEvents';
import type { CourseRef, Registration, TeachingRole, TpCourse, TpEvent } from '../../src/domain/types';
import { exampleCourse, settings, tpEvent } from './tpExample';

const IN1000: CourseRef = { courseId: 'IN1000', version: '1', semester: '26h' };
const IN2010: CourseRef = { courseId: 'IN2010', version: '1', semester: '26h' };

function ev(eventid: string, over: Partial<TpEvent> = {}): TpEvent {
  return tpEvent({ eventid, id: eventid.replace(/\+.*/, ''), plenary: false, staffs: [], ...over });
}

/** Lecture (plenary, taught by kari), groups 2-1, 2-2 and 3-1 (taught by ola), lab 2-2 taught by kari. */
function course(ref: CourseRef = IN1000): TpCourse {
  const staff = (id: string) => [{ id, firstname: id, lastname: 'X' }];
  return {
    course: ref,
    courseName: 'Kurs',
    events: [
      ev('L+35', { actid: '1', plenary: true, staffs: staff('kari') }),
      ev('L+36', { actid: '1', plenary: true, staffs: staff('Kari') }),
      ev('G1+35', { actid: '2-1' }),
      ev('G2+35', { actid: '2-2', staffs: staff('ola') }),
      ev('G2+36', { actid: '2-2', staffs: staff('KARI') }),
      ev('H1+35', { actid: '3-1', staffs: staff('ola') }),
    ].map((e) => ({ ...e, courseid: ref.courseId })),
    rejected: [],
  };
}

const reg = (activities: string[], c: CourseRef = IN1000): Registration => ({ personId: 'p1', course: c, activities });
const role = (username: string | null, c: CourseRef = IN1000): TeachingRole => ({
  personId: 'p1',
  username,
  course: c,
  role: 'FORELESER',
});

const eventids = (r: ReturnType<typeof desiredEvents>) => r.events.map((e) => e.key.split(':').pop());

const base = {
  personId: 'p1',
  username: null,
  registrations: [],
  roles: [],
  courses: [course()],
  settings: settings(),
};

describe('desiredEvents', () => {
  it('gives a student the plenary events and their own group only', () => {
    const r = desiredEvents({ ...base, registrations: [reg(['2-1'])] });
    expect(eventids(r)).toEqual(['G1+35', 'L+35', 'L+36']);
    expect(r.errors).toEqual([]);
  });

  it('gives a student in two groups of one activity both groups', () => {
    const r = desiredEvents({ ...base, registrations: [reg(['2-1', '2-2'])] });
    expect(eventids(r)).toEqual(['G1+35', 'G2+35', 'G2+36', 'L+35', 'L+36']);
  });

  it('gives a lecturer the events that list their username, case-insensitively, and nothing else', () => {
    const r = desiredEvents({ ...base, username: 'KaRi', roles: [role('kari')] });
    expect(eventids(r)).toEqual(['G2+36', 'L+35', 'L+36']);
  });

  it('uses the username on a teaching role when the person has none', () => {
    expect(eventids(desiredEvents({ ...base, roles: [role('ola')] }))).toEqual(['G2+35', 'H1+35']);
  });

  it('counts an occurrence once when two rules select it', () => {
    const r = desiredEvents({
      ...base,
      username: 'kari',
      registrations: [reg(['2-2']), reg(['2-2'])],
      roles: [role('kari')],
    });
    expect(eventids(r)).toEqual(['G2+35', 'G2+36', 'L+35', 'L+36']);
    expect(new Set(r.events.map((e) => e.key)).size).toBe(r.events.length);
  });

  it('gives someone with neither registration nor staff entry nothing', () => {
    expect(desiredEvents({ ...base, username: 'nobody' }).events).toEqual([]);
  });

  it('only looks at the courses it is given, and keeps courses apart', () => {
    const r = desiredEvents({
      ...base,
      registrations: [reg(['2-1']), reg(['3-1'], IN2010), reg([], { ...IN1000, semester: '27v' })],
      courses: [course(), course(IN2010)],
    });
    expect(r.events.map((e) => e.key)).toEqual([
      'tp:26h:IN1000,1:G1+35',
      'tp:26h:IN1000,1:L+35',
      'tp:26h:IN1000,1:L+36',
      'tp:26h:IN2010,1:H1+35',
      'tp:26h:IN2010,1:L+35',
      'tp:26h:IN2010,1:L+36',
    ]);
    expect(r.events.every((e) => e.key.includes(e.course.courseId))).toBe(true);
  });

  it('uses the example course: a student of group 2-3 gets the lecture and the cancelled group session', () => {
    const r = desiredEvents({ ...base, registrations: [reg(['2-3'])], courses: [exampleCourse()] });
    expect(r.events.map((e) => [e.key, e.content.subject])).toEqual([
      ['tp:26h:IN1000,1:26H-IN1000-1-1-1-1+35+2', 'IN1000 Forelesning – Velkommen og introduksjon'],
      ['tp:26h:IN1000,1:26H-IN1000-1-2-3-1-1+35+4', 'AVLYST: IN1000 Gruppe 3'],
    ]);
    expect(r.events.every((e) => /^[0-9a-f]{32}$/.test(e.hash))).toBe(true);
  });

  it("skips malformed events and reports them for the person's courses only", () => {
    const c = course();
    c.events.push(ev('BAD+1', { actid: '1', plenary: true, dtstart: 'nonsense' }));
    c.rejected.push({ eventid: null, reason: 'missing eventid' });
    const r = desiredEvents({ ...base, registrations: [reg([])], courses: [c, course(IN2010)] });
    expect(eventids(r)).toEqual(['L+35', 'L+36']);
    expect(r.errors.map((e) => [e.code, e.eventid, e.course?.courseId])).toEqual([
      ['TP_EVENT_INVALID', null, 'IN1000'],
      ['TP_EVENT_INVALID', 'BAD+1', 'IN1000'],
    ]);
    expect(desiredEvents({ ...base, courses: [c] }).errors).toEqual([]);
  });

  it('uses the first of two occurrences with the same eventid and reports the duplicate', () => {
    const c = course();
    c.events.push(ev('L+35', { actid: '1', plenary: true, summary: 'second copy' }));
    const r = desiredEvents({ ...base, registrations: [reg([])], courses: [c] });
    expect(eventids(r)).toEqual(['L+35', 'L+36']);
    expect(r.events[0]!.content.subject).not.toContain('second copy');
    expect(r.errors.map((e) => e.code)).toEqual(['TP_EVENT_DUPLICATE']);
  });

  it('shares prepared content between persons instead of recomputing it', () => {
    const prepared = prepareCourse(course(), settings());
    const a = desiredEvents({ ...base, registrations: [reg(['2-1'])], courses: [prepared] });
    const b = desiredEvents({ ...base, personId: 'p2', registrations: [reg(['2-2'])], courses: [prepared] });
    const lectureA = a.events.find((e) => e.key.endsWith('L+35'));
    const lectureB = b.events.find((e) => e.key.endsWith('L+35'));
    expect(lectureA).toBeDefined();
    expect(lectureA).toBe(lectureB);
    expect(a).toEqual(desiredEvents({ ...base, registrations: [reg(['2-1'])] }));
  });

  it('re-prepares a course prepared for other settings', () => {
    const prepared = prepareCourse(course(), settings('nb'));
    const r = desiredEvents({ ...base, registrations: [reg([])], courses: [prepared], settings: settings('en') });
    expect(r.events[0]!.content.categories).toEqual(['Teaching']);
  });

  it('caches prepared courses per course object and settings', () => {
    const cache = new CourseContentCache();
    const c = course();
    expect(cache.get(c, settings())).toBe(cache.get(c, settings()));
    expect(cache.get(c, settings('en')).events[0]!.desired.content.categories).toEqual(['Teaching']);
  });
});
