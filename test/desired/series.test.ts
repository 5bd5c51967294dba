import { describe, it, expect } from 'vitest';
import { desiredEvents, prepareCourse } from '../../src/desired/desiredEvents';
import {
  exceptionKey,
  isSeriesKey,
  occurrenceDates,
  occurrenceOf,
  parseExceptionKey,
  weeklySeries,
} from '../../src/desired/series';
import type { TpCourse, TpEvent } from '../../src/domain/types';
import { settings, tpEvent } from './tpExample';

const REF = { courseId: 'IN1000', version: '1', semester: '26h' };

/** A Tuesday 10:15-12:00 lecture in week `week` of 2026 (week 35 = 25 August), Oslo time. */
function weekly(week: number, over: Partial<TpEvent> = {}): TpEvent {
  const start = new Date(Date.UTC(2026, 7, 25) + (week - 35) * 7 * 86_400_000);
  const date = start.toISOString().slice(0, 10);
  const offset = week >= 44 ? '+01' : '+02'; // CET from 25 October
  return tpEvent({
    eventid: `L+${week}`,
    id: 'ACT-1',
    summary: '',
    dtstart: `${date}T10:15:00${offset}`,
    dtend: `${date}T12:00:00${offset}`,
    weeknr: week,
    ...over,
  });
}

function series(events: TpEvent[]) {
  const course: TpCourse = { course: REF, courseName: 'Kurs', events, rejected: [] };
  return weeklySeries(prepareCourse(course, settings()).events);
}

describe('weeklySeries', () => {
  it('folds unchanged weekly repeats into one master, across the change to winter time', () => {
    // Given out of order on purpose: TP does not promise any order.
    const weeks = [45, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44];
    const [master, ...rest] = series(weeks.map((w) => weekly(w)));
    expect(rest).toEqual([]);
    expect(master!.key).toBe('tp:26h:IN1000,1:weekly:L+35');
    expect(isSeriesKey(master!.key)).toBe(true);
    expect(master!.content.start).toEqual({ dateTime: '2026-08-25T10:15:00', timeZone: 'W. Europe Standard Time' });
    expect(master!.content.end).toEqual({ dateTime: '2026-08-25T12:00:00', timeZone: 'W. Europe Standard Time' });
    expect(master!.content.recurrence).toEqual({
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
      range: { type: 'endDate', startDate: '2026-08-25', endDate: '2026-11-03' },
    });
    expect(master!.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('writes a cancelled week as an exception of the series, not as a split', () => {
    const out = series([35, 36, 37, 38, 39].map((w) => weekly(w, w === 37 ? { cancelled: true } : {})));
    expect(
      out.map((d) => [
        d.key,
        (d.content.recurrence as any)?.range.endDate ?? d.content.subject,
        d.exceptionOf?.originalDate,
      ]),
    ).toEqual([
      ['tp:26h:IN1000,1:weekly:L+35', '2026-09-22', undefined],
      ['tp:26h:IN1000,1:weekly:L+35@2026-09-08', 'AVLYST: IN1000 Forelesning', '2026-09-08'],
    ]);
    expect(out[1]!.exceptionOf).toEqual({ masterKey: 'tp:26h:IN1000,1:weekly:L+35', originalDate: '2026-09-08' });
    expect(out[1]!.content.showAs).toBe('free');
  });

  it('writes a week moved within its week as an exception of that week, with the new times', () => {
    const out = series([
      weekly(35),
      weekly(36),
      weekly(37, { dtstart: '2026-09-10T12:15:00+02', dtend: '2026-09-10T14:00:00+02' }),
      weekly(38),
    ]);
    expect(out.map((d) => d.key)).toEqual(['tp:26h:IN1000,1:weekly:L+35', 'tp:26h:IN1000,1:weekly:L+35@2026-09-08']);
    expect(out[1]!.content.start).toEqual({ dateTime: '2026-09-10T12:15:00', timeZone: 'W. Europe Standard Time' });
    expect((out[0]!.content.recurrence as any).range).toEqual({
      type: 'endDate',
      startDate: '2026-08-25',
      endDate: '2026-09-15',
    });
  });

  it('ends a series at a week without the activity, and keeps a lone week single', () => {
    const out = series([35, 36, 37, 39, 41, 42].map((w) => weekly(w)));
    expect(out.map((d) => [d.key, (d.content.recurrence as any)?.range.endDate ?? null])).toEqual([
      ['tp:26h:IN1000,1:L+39', null],
      ['tp:26h:IN1000,1:weekly:L+35', '2026-09-08'],
      ['tp:26h:IN1000,1:weekly:L+41', '2026-10-13'],
    ]);
  });

  it('a second occurrence in the same week, or one moved to another week, stays single', () => {
    const extra = weekly(36, { eventid: 'X', dtstart: '2026-09-03T08:15:00+02', dtend: '2026-09-03T10:00:00+02' });
    // Moved into week 40, which has its own.
    const far = weekly(37, { dtstart: '2026-10-01T10:15:00+02', dtend: '2026-10-01T12:00:00+02' });
    const out = series([weekly(35), weekly(36), extra, far, weekly(38), weekly(39), weekly(40)]);
    expect(
      out
        .filter((d) => !d.content.recurrence && !d.exceptionOf)
        .map((d) => d.key)
        .sort(),
    ).toEqual(['tp:26h:IN1000,1:L+37', 'tp:26h:IN1000,1:X']);
    expect(out.filter((d) => d.content.recurrence).map((d) => (d.content.recurrence as any).range)).toEqual([
      { type: 'endDate', startDate: '2026-08-25', endDate: '2026-09-01' },
      { type: 'endDate', startDate: '2026-09-15', endDate: '2026-09-29' },
    ]);
  });

  it('chooses series boundaries with the fewest writes: a room change half-way is two series', () => {
    const out = series([35, 36, 37, 38, 39, 40, 41, 42].map((w) => weekly(w, w >= 39 ? { rooms: [] } : {})));
    expect(out.map((d) => d.key)).toEqual(['tp:26h:IN1000,1:weekly:L+35', 'tp:26h:IN1000,1:weekly:L+39']);
    // One odd room in the middle is cheaper as an exception (2 writes) than as a split (3).
    const one = series([35, 36, 37, 38, 39].map((w) => weekly(w, w === 37 ? { rooms: [] } : {})));
    expect(one.map((d) => d.key)).toEqual(['tp:26h:IN1000,1:weekly:L+35', 'tp:26h:IN1000,1:weekly:L+35@2026-09-08']);
  });

  it('writes a week with its own topic as an exception, and no series when every week has one', () => {
    const out = series([35, 36, 37, 38].map((w) => weekly(w, w === 36 ? { summary: 'Rekursjon' } : {})));
    expect(out.map((d) => d.key)).toEqual(['tp:26h:IN1000,1:weekly:L+35', 'tp:26h:IN1000,1:weekly:L+35@2026-09-01']);
    expect(out[1]!.content.subject).toBe('IN1000 Forelesning – Rekursjon');
    expect(occurrenceOf(out[0]!, '2026-09-01').subject).toBe('IN1000 Forelesning');
    expect(occurrenceOf(out[0]!, '2026-11-03')).toMatchObject({
      start: { dateTime: '2026-11-03T10:15:00' },
      end: { dateTime: '2026-11-03T12:00:00' },
    });
  });

  it('lists the original date of every week of a master, across the change to winter time', () => {
    const [master] = series([40, 41, 42, 43, 44, 45].map((w) => weekly(w)));
    expect(occurrenceDates(master!)).toEqual([
      '2026-09-29',
      '2026-10-06',
      '2026-10-13',
      '2026-10-20',
      '2026-10-27',
      '2026-11-03',
    ]);
  });

  it('exception keys round-trip', () => {
    expect(parseExceptionKey(exceptionKey('tp:26h:IN1000,1:weekly:L+35', '2026-09-01'))).toEqual({
      masterKey: 'tp:26h:IN1000,1:weekly:L+35',
      originalDate: '2026-09-01',
    });
    expect(parseExceptionKey('tp:26h:IN1000,1:weekly:L+35')).toBeNull();
    expect(parseExceptionKey('tp:26h:IN1000,1:L@2026-09-01')).toBeNull();
  });

  it('does not fold weeks with their own topic or room, or other activities', () => {
    expect(
      series([35, 36, 37].map((w) => weekly(w, { summary: `Tema ${w}` }))).every((d) => !d.content.recurrence),
    ).toBe(true);
    expect(series([weekly(35), weekly(36, { rooms: [] })]).every((d) => !d.content.recurrence)).toBe(true);
    expect(
      series([weekly(35), weekly(36, { rooms: [] }), weekly(37, { summary: 'x' })]).every((d) => !d.content.recurrence),
    ).toBe(true);
    expect(series([weekly(35), weekly(36, { id: 'ACT-2' })]).every((d) => !d.content.recurrence)).toBe(true);
    expect(series([weekly(35), weekly(37)]).every((d) => !d.content.recurrence)).toBe(true);
  });

  it('keeps the master key when the series grows, and updates its hash', () => {
    const short = series([35, 36].map((w) => weekly(w)));
    const long = series([35, 36, 37].map((w) => weekly(w)));
    expect(long[0]!.key).toBe(short[0]!.key);
    expect(long[0]!.hash).not.toBe(short[0]!.hash);
  });

  it('is used by desiredEvents when SERIES_MODE=weekly, per person', () => {
    const course: TpCourse = {
      course: REF,
      courseName: 'Kurs',
      events: [35, 36, 37]
        .map((w) => weekly(w, { actid: '1', plenary: true }))
        .concat(weekly(36, { eventid: 'G+36', id: 'G', actid: '2-1', plenary: false })),
      rejected: [],
    };
    const input = { personId: 'p', username: null, roles: [], courses: [course], settings: settings() };
    const r = desiredEvents({
      ...input,
      registrations: [{ personId: 'p', course: REF, activities: ['2-1'] }],
      seriesMode: 'weekly',
    });
    expect(r.events.map((e) => e.key)).toEqual(['tp:26h:IN1000,1:G+36', 'tp:26h:IN1000,1:weekly:L+35']);
    const off = desiredEvents({ ...input, registrations: [{ personId: 'p', course: REF, activities: [] }] });
    expect(off.events.map((e) => e.key)).toEqual([
      'tp:26h:IN1000,1:L+35',
      'tp:26h:IN1000,1:L+36',
      'tp:26h:IN1000,1:L+37',
    ]);
  });
});
