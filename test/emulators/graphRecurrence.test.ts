import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  crossesAdjacentOccurrence,
  expandRecurrence,
  seriesInstances,
  type Recurrence,
} from '../../testkit/graph/graphRecurrence';

const oslo = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Oslo' }).toMillis();
const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toFormat('ccc yyyy-MM-dd HH:mm');

describe('expandRecurrence', () => {
  it('keeps the wall-clock time of a weekly series across the end of summer time', () => {
    const master = {
      startMs: oslo('2026-10-13T08:15'),
      endMs: oslo('2026-10-13T10:00'),
      startTimeZone: 'W. Europe Standard Time',
    };
    const out = expandRecurrence(master, {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
      range: { type: 'endDate', startDate: '2026-10-13', endDate: '2026-11-03' },
    });
    expect(out.map((i) => local(i.startMs))).toEqual([
      'Tue 2026-10-13 08:15',
      'Tue 2026-10-20 08:15',
      'Tue 2026-10-27 08:15',
      'Tue 2026-11-03 08:15',
    ]);
    expect(out.every((i) => i.endMs - i.startMs === 105 * 60_000)).toBe(true);
    // 08:15 in Oslo is 06:15 UTC in summer and 07:15 UTC in winter.
    expect(new Date(out[1]!.startMs).toISOString()).toBe('2026-10-20T06:15:00.000Z');
    expect(new Date(out[2]!.startMs).toISOString()).toBe('2026-10-27T07:15:00.000Z');
  });

  it('honours several weekdays, the interval, a numbered range and Windows zone names', () => {
    const master = {
      startMs: oslo('2026-09-07T12:00'),
      endMs: oslo('2026-09-07T13:00'),
      startTimeZone: 'W. Europe Standard Time',
    };
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
    const master = {
      startMs: Date.parse('2026-09-01T10:00:00Z'),
      endMs: Date.parse('2026-09-01T11:00:00Z'),
      startTimeZone: 'UTC',
    };
    const daily = expandRecurrence(master, {
      pattern: { type: 'daily', interval: 3 },
      range: { type: 'endDate', startDate: '2026-09-01', endDate: '2026-09-10' },
    });
    expect(daily.map((i) => new Date(i.startMs).toISOString().slice(0, 10))).toEqual([
      '2026-09-01',
      '2026-09-04',
      '2026-09-07',
      '2026-09-10',
    ]);
    expect(() =>
      expandRecurrence(master, {
        pattern: { type: 'absoluteMonthly', interval: 1 },
        range: { type: 'noEnd', startDate: '2026-09-01' },
      }),
    ).toThrow(/not supported/);
  });
});

describe('seriesInstances and crossesAdjacentOccurrence', () => {
  // Tuesdays 08:15-10:00 in Oslo, over the end of summer time on 25 October 2026.
  const master = {
    startMs: oslo('2026-10-13T08:15'),
    endMs: oslo('2026-10-13T10:00'),
    startTimeZone: 'W. Europe Standard Time',
  };
  const weekly: Recurrence = {
    pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
    range: { type: 'endDate', startDate: '2026-10-13', endDate: '2026-11-03' },
  };
  const slots = expandRecurrence(master, weekly).map((i) => i.startMs);
  const none = { exceptions: new Map(), cancelled: new Set<number>() };

  it('lays exceptions over their slot, leaves cancelled slots out and sorts by the start the person sees', () => {
    // the 20 October lecture moved to Thursday 22nd, the 27 October one cancelled
    const moved = { startMs: oslo('2026-10-22T12:15'), endMs: oslo('2026-10-22T14:00') };
    const out = seriesInstances(master, weekly, {
      exceptions: new Map([[slots[1]!, moved]]),
      cancelled: new Set([slots[2]!]),
    });
    expect(out.map((i) => [local(i.startMs), i.type, local(i.originalStartMs)])).toEqual([
      ['Tue 2026-10-13 08:15', 'occurrence', 'Tue 2026-10-13 08:15'],
      ['Thu 2026-10-22 12:15', 'exception', 'Tue 2026-10-20 08:15'],
      ['Tue 2026-11-03 08:15', 'occurrence', 'Tue 2026-11-03 08:15'],
    ]);
    expect(seriesInstances(master, weekly, none)).toHaveLength(4);
  });

  it('refuses a move onto or past the day of a neighbouring occurrence, counting cancelled and moved ones', () => {
    const slot = slots[1]!; // Tue 20 October
    expect(crossesAdjacentOccurrence(master, weekly, none, slot, oslo('2026-10-14T09:00'))).toBe(false);
    expect(crossesAdjacentOccurrence(master, weekly, none, slot, oslo('2026-10-26T23:30'))).toBe(false);
    expect(crossesAdjacentOccurrence(master, weekly, none, slot, oslo('2026-10-13T23:00'))).toBe(true);
    expect(crossesAdjacentOccurrence(master, weekly, none, slot, oslo('2026-10-27T00:00'))).toBe(true);
    // the next occurrence is cancelled: its day still bounds the move
    expect(
      crossesAdjacentOccurrence(
        master,
        weekly,
        { ...none, cancelled: new Set([slots[2]!]) },
        slot,
        oslo('2026-10-27T12:00'),
      ),
    ).toBe(true);
    // the previous occurrence was moved to Friday 16th: the 16th is now off limits
    const prevMoved = new Map([[slots[0]!, { startMs: oslo('2026-10-16T08:15'), endMs: oslo('2026-10-16T10:00') }]]);
    expect(
      crossesAdjacentOccurrence(master, weekly, { ...none, exceptions: prevMoved }, slot, oslo('2026-10-16T18:00')),
    ).toBe(true);
    expect(
      crossesAdjacentOccurrence(master, weekly, { ...none, exceptions: prevMoved }, slot, oslo('2026-10-17T08:00')),
    ).toBe(false);
  });
});
