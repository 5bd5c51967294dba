import { describe, it, expect } from 'vitest';
import { desiredEvents, prepareCourse } from '../../src/desired/desiredEvents';
import { isSeriesKey, weeklySeries } from '../../src/desired/series';
import type { TpCourse, TpEvent } from '../../src/domain/types';
import { settings, tpEvent } from './tpExample';

const REF = { courseId: 'IN1000', version: '1', semester: '26h' };

/** A Tuesday 10:15-12:00 lecture in week `week` of 2026 (week 35 = 25 August), Oslo time. */
function weekly(week: number, over: Partial<TpEvent> = {}): TpEvent {
  const start = new Date(Date.UTC(2026, 7, 25) + (week - 35) * 7 * 86_400_000);
  const date = start.toISOString().slice(0, 10);
  const offset = week >= 44 ? '+01' : '+02'; // CET from 25 October
  return tpEvent({ eventid: `L+${week}`, id: 'ACT-1', summary: '', dtstart: `${date}T10:15:00${offset}`, dtend: `${date}T12:00:00${offset}`, weeknr: week, ...over });
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
    expect(master!.content.start).toEqual({ dateTime: '2026-08-25T10:15:00', timeZone: 'Europe/Oslo' });
    expect(master!.content.end).toEqual({ dateTime: '2026-08-25T12:00:00', timeZone: 'Europe/Oslo' });
    expect(master!.content.recurrence).toEqual({
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
      range: { type: 'endDate', startDate: '2026-08-25', endDate: '2026-11-03' },
    });
    expect(master!.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps a cancelled week as its own event and splits the series around it', () => {
    const out = series([35, 36, 37, 38, 39].map((w) => weekly(w, w === 37 ? { cancelled: true } : {})));
    expect(out.map((d) => [d.key, (d.content.recurrence as any)?.range.endDate ?? d.content.subject])).toEqual([
      ['tp:26h:IN1000,1:L+37', 'AVLYST: IN1000 Forelesning'],
      ['tp:26h:IN1000,1:weekly:L+35', '2026-09-01'],
      ['tp:26h:IN1000,1:weekly:L+38', '2026-09-22'],
    ]);
  });

  it('keeps a moved week single, and a lone week after it too', () => {
    const out = series([weekly(35), weekly(36), weekly(37, { dtstart: '2026-09-08T12:15:00+02', dtend: '2026-09-08T14:00:00+02' }), weekly(38)]);
    expect(out.map((d) => [d.key, d.content.recurrence !== undefined])).toEqual([
      ['tp:26h:IN1000,1:L+37', false],
      ['tp:26h:IN1000,1:L+38', false],
      ['tp:26h:IN1000,1:weekly:L+35', true],
    ]);
  });

  it('does not fold weeks with their own topic or room, or other activities', () => {
    expect(series([35, 36, 37].map((w) => weekly(w, { summary: `Tema ${w}` }))).every((d) => !d.content.recurrence)).toBe(true);
    expect(series([weekly(35), weekly(36, { rooms: [] })]).every((d) => !d.content.recurrence)).toBe(true);
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
      events: [35, 36, 37].map((w) => weekly(w, { actid: '1', plenary: true })).concat(weekly(36, { eventid: 'G+36', id: 'G', actid: '2-1', plenary: false })),
      rejected: [],
    };
    const input = { personId: 'p', username: null, roles: [], courses: [course], settings: settings() };
    const r = desiredEvents({ ...input, registrations: [{ personId: 'p', course: REF, activities: ['2-1'] }], seriesMode: 'weekly' });
    expect(r.events.map((e) => e.key)).toEqual(['tp:26h:IN1000,1:G+36', 'tp:26h:IN1000,1:weekly:L+35']);
    const off = desiredEvents({ ...input, registrations: [{ personId: 'p', course: REF, activities: [] }] });
    expect(off.events.map((e) => e.key)).toEqual(['tp:26h:IN1000,1:L+35', 'tp:26h:IN1000,1:L+36', 'tp:26h:IN1000,1:L+37']);
  });
});
