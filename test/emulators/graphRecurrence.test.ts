import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { expandOccurrences, expandRecurrence } from '../../src/emulators/graphRecurrence';

const oslo = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Oslo' }).toMillis();
const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toFormat("ccc yyyy-MM-dd HH:mm");

describe('expandRecurrence', () => {
  it('keeps the wall-clock time of a weekly series across the end of summer time', () => {
    const master = { startMs: oslo('2026-10-13T08:15'), endMs: oslo('2026-10-13T10:00'), startTimeZone: 'Europe/Oslo' };
    const out = expandRecurrence(master, {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
      range: { type: 'endDate', startDate: '2026-10-13', endDate: '2026-11-03' },
    });
    expect(out.map((i) => local(i.startMs))).toEqual(['Tue 2026-10-13 08:15', 'Tue 2026-10-20 08:15', 'Tue 2026-10-27 08:15', 'Tue 2026-11-03 08:15']);
    expect(out.every((i) => i.endMs - i.startMs === 105 * 60_000)).toBe(true);
    // 08:15 in Oslo is 06:15 UTC in summer and 07:15 UTC in winter.
    expect(new Date(out[1]!.startMs).toISOString()).toBe('2026-10-20T06:15:00.000Z');
    expect(new Date(out[2]!.startMs).toISOString()).toBe('2026-10-27T07:15:00.000Z');
  });

  it('honours several weekdays, the interval, a numbered range and Windows zone names', () => {
    const master = { startMs: oslo('2026-09-07T12:00'), endMs: oslo('2026-09-07T13:00'), startTimeZone: 'W. Europe Standard Time' };
    const out = expandRecurrence(master, {
      pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'thursday'], firstDayOfWeek: 'monday' },
      range: { type: 'numbered', startDate: '2026-09-07', numberOfOccurrences: 5 },
    });
    expect(out.map((i) => local(i.startMs))).toEqual([
      'Mon 2026-09-07 12:00',
      'Thu 2026-09-10 12:00',
      'Mon 2026-09-21 12:00',
      'Thu 2026-09-24 12:00',
      'Mon 2026-10-05 12:00',
    ]);
  });

  it('expands daily series and refuses patterns it does not know', () => {
    const master = { startMs: Date.parse('2026-09-01T10:00:00Z'), endMs: Date.parse('2026-09-01T11:00:00Z'), startTimeZone: 'UTC' };
    const daily = expandRecurrence(master, { pattern: { type: 'daily', interval: 3 }, range: { type: 'endDate', startDate: '2026-09-01', endDate: '2026-09-10' } });
    expect(daily.map((i) => new Date(i.startMs).toISOString().slice(0, 10))).toEqual(['2026-09-01', '2026-09-04', '2026-09-07', '2026-09-10']);
    expect(() => expandRecurrence(master, { pattern: { type: 'absoluteMonthly', interval: 1 }, range: { type: 'noEnd', startDate: '2026-09-01' } })).toThrow(/not supported/);
  });
});

describe('expandOccurrences', () => {
  it('replaces each series master by its occurrences and leaves single events alone, sorted by start', () => {
    const single = { id: 's', startUtc: '2026-09-02T08:00:00.000Z', endUtc: '2026-09-02T09:00:00.000Z', originalStartTimeZone: 'UTC', graph: { recurrence: null } };
    const master = {
      id: 'm',
      startUtc: '2026-09-01T08:00:00.000Z',
      endUtc: '2026-09-01T09:00:00.000Z',
      originalStartTimeZone: 'UTC',
      graph: { recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'] }, range: { type: 'endDate', startDate: '2026-09-01', endDate: '2026-09-08' } } },
    };
    const out = expandOccurrences([single, master]);
    expect(out.map((o) => [o.id, o.startUtc, o.seriesMasterId])).toEqual([
      ['m', '2026-09-01T08:00:00.000Z', 'm'],
      ['s', '2026-09-02T08:00:00.000Z', null],
      ['m', '2026-09-08T08:00:00.000Z', 'm'],
    ]);
  });
});
