import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Institution } from '../../testkit/institution/institution';
import type { SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { SourceError } from '../../src/sources/http';
import { createTpClient, type TpClient } from '../../src/sources/tpClient';
import { validateTpEvents } from '../../src/sources/tpSchemas';
import { FAST_RETRY, FS_KEY, startSources, TP_KEY } from './fixture';

const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };
let institution: Institution;
let emulator: SourceEmulator;
let tp: TpClient;

beforeAll(async () => {
  ({ institution, emulator } = await startSources({ students: 150 }));
  tp = createTpClient({ baseUrl: emulator.tpBaseUrl, apiKey: TP_KEY, retry: FAST_RETRY });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.setFaults({});
  emulator.resetStats();
});

describe('TP client', () => {
  it('reads every event of a course and maps TP field names', async () => {
    const course = await tp.getCourse(IN1000);
    expect(course.course).toEqual(IN1000);
    expect(course.courseName).toBe('Introduksjon til objektorientert programmering');
    expect(course.rejected).toEqual([]);
    expect(course.events.map((e) => e.eventid)).toEqual(institution.courseEvents(IN1000)!.map((e) => e.eventid));
    const wire = institution.courseEvents(IN1000)!.find((e) => e.status_plenary)!;
    const event = course.events.find((e) => e.eventid === wire.eventid)!;
    expect(event).toMatchObject({
      id: wire.id,
      actid: '1',
      dtstart: wire.dtstart,
      dtend: wire.dtend,
      title: 'Forelesning',
      summary: wire.summary,
      teachingMethod: 'FOR',
      plenary: true,
      cancelled: wire.status === 'cancelled',
      staffs: wire.staffs,
      rooms: wire.room,
      weeknr: wire.weeknr,
      weekday: wire.weekday,
    });
    expect(emulator.courseReads(IN1000)).toBe(1);
  });

  it("sees TP's changes: moved, cancelled, deleted and re-roomed occurrences", async () => {
    const [a, b, c] = institution.courseEvents(IN1000)!.filter((e) => e.status === 'active');
    institution.moveEvent(IN1000, a!.eventid, '2026-10-26T08:15:00Z', '2026-10-26T10:00:00Z');
    institution.cancelEvent(IN1000, b!.eventid);
    institution.deleteEvent(IN1000, c!.eventid);
    const course = await tp.getCourse(IN1000);
    const moved = course.events.find((e) => e.eventid === a!.eventid)!;
    expect(moved.dtstart).toMatch(/^2026-10-26[T ]09:15:00\+01$/);
    expect(course.events.find((e) => e.eventid === b!.eventid)!.cancelled).toBe(true);
    expect(course.events.find((e) => e.eventid === c!.eventid)).toBeUndefined();
  });

  it('returns no events (not an error) for a course TP does not know', async () => {
    const ref = { courseId: 'NOPE1000', version: '1', semester: '26h' };
    expect(await tp.getCourse(ref)).toEqual({ course: ref, courseName: '', events: [], rejected: [] });
  });

  it('rejects malformed events one by one with reasons and keeps the rest', async () => {
    emulator.setFaults({ tpMalformed: 'events' });
    const course = await tp.getCourse(IN1000);
    const first = institution.courseEvents(IN1000)![0]!;
    expect(course.events).toHaveLength(institution.courseEventCount(IN1000));
    expect(course.events[0]).not.toHaveProperty('lastchanged');
    expect(course.rejected).toEqual([
      { eventid: null, reason: 'missing eventid' },
      { eventid: `${first.eventid}-BADTIME`, reason: expect.stringMatching(/unparsable dtstart/) },
      { eventid: `${first.eventid}-BACKWARDS`, reason: expect.stringMatching(/before dtstart/) },
      { eventid: first.eventid, reason: 'duplicate eventid' },
      { eventid: null, reason: 'event is not an object' },
    ]);
    expect(course.events.find((e) => e.eventid === first.eventid)!.summary).toBe(first.summary);
  });

  it('fails the whole course on a broken envelope or body', async () => {
    for (const kind of ['envelope', 'json'] as const) {
      emulator.setFaults({ tpMalformed: kind });
      await expect(tp.getCourse(IN1000)).rejects.toMatchObject({ code: 'SOURCE_INVALID_RESPONSE', course: IN1000 });
    }
  });

  it('recovers from a burst of 500s, and a persistent 500 is an error, never an empty timetable', async () => {
    emulator.setFaults({ tp: { status: 500, count: 2 } });
    expect((await tp.getCourse(IN1000)).events.length).toBe(institution.courseEventCount(IN1000));
    emulator.setFaults({ tp: { status: 502 } });
    const err = await tp.getCourse(IN1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'SOURCE_UNAVAILABLE', status: 502, course: IN1000 });
  });

  it('is rejected with the wrong API key', async () => {
    const wrong = createTpClient({ baseUrl: emulator.tpBaseUrl, apiKey: FS_KEY, retry: FAST_RETRY });
    await expect(wrong.getCourse(IN1000)).rejects.toMatchObject({ code: 'SOURCE_UNAUTHORIZED' });
  });
});

describe('validateTpEvents', () => {
  const base = {
    eventid: 'E1',
    actid: '2-1',
    dtstart: '2026-10-25 01:30:00+02',
    dtend: '2026-10-25T02:15:00+01',
    'teaching-title': 'Gruppe 1',
    status: 'active',
    unknown: { nested: true },
  };

  it('accepts an event across the DST change with defaults for missing optional fields', () => {
    const { events, rejected } = validateTpEvents([base], IN1000);
    expect(rejected).toEqual([]);
    expect(events[0]).toEqual({
      eventid: 'E1',
      id: 'E1',
      actid: '2-1',
      courseid: 'IN1000',
      courseversion: '1',
      semesterid: '26h',
      dtstart: base.dtstart,
      dtend: base.dtend,
      title: 'Gruppe 1',
      summary: '',
      teachingMethod: '',
      teachingMethodName: '',
      plenary: false,
      cancelled: false,
      staffs: [],
      rooms: [],
      tags: [],
    });
  });

  it('names what is wrong', () => {
    const { events, rejected } = validateTpEvents(
      [
        { ...base, eventid: '' },
        { ...base, eventid: 'E2', dtend: 'tomorrow' },
        { ...base, eventid: 'E3', staffs: [{ firstname: 'No id' }] },
        { ...base, eventid: 'E4', status_plenary: 'yes' },
        { ...base, eventid: 'E5', status_plenary: 'true', staffs: null, summary: null },
      ],
      IN1000,
    );
    expect(rejected.map((r) => r.eventid)).toEqual([null, 'E2', 'E3', 'E4']);
    expect(rejected[1]!.reason).toMatch(/unparsable dtend "tomorrow"/);
    expect(rejected[2]!.reason).toMatch(/staffs\.0\.id/);
    expect(rejected[3]!.reason).toMatch(/status_plenary/);
    expect(events).toMatchObject([{ eventid: 'E5', plenary: true, staffs: [], summary: '' }]);
  });
});
