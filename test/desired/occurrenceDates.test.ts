import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { DesiredEvent } from '../../src/domain/types';
import { occurrenceDates, type WeeklyRecurrence } from '../../src/desired/series';

const DAY = 86_400_000;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const dateOfDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** occurrenceDates before rrule: every 7th day from the start date up to the end date. */
function byDateArithmetic(startDay: number, endDay: number): string[] {
  const dates: string[] = [];
  for (let day = startDay; day <= endDay; day += 7) dates.push(dateOfDay(day));
  return dates;
}

function master(startDay: number, endDay: number): DesiredEvent {
  const recurrence: WeeklyRecurrence = {
    pattern: {
      type: 'weekly',
      interval: 1,
      daysOfWeek: [WEEKDAYS[new Date(startDay * DAY).getUTCDay()]!],
      firstDayOfWeek: 'monday',
    },
    range: { type: 'endDate', startDate: dateOfDay(startDay), endDate: dateOfDay(endDay) },
  };
  return { content: { recurrence } } as unknown as DesiredEvent;
}

describe('occurrenceDates through rrule', () => {
  const zoneBefore = process.env.TZ;
  afterAll(() => {
    if (zoneBefore === undefined) delete process.env.TZ;
    else process.env.TZ = zoneBefore;
  });

  // The process zone must not matter: rrule gets dates as floating UTC, whatever the DST rules.
  for (const zone of ['UTC', 'Europe/Oslo', 'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Apia']) {
    it(`equals the weekly date arithmetic across DST changes (process zone ${zone})`, () => {
      process.env.TZ = zone;
      const firstDay = Date.UTC(1995, 0, 1) / DAY;
      const lastDay = Date.UTC(2045, 0, 1) / DAY;
      fc.assert(
        fc.property(
          fc.integer({ min: firstDay, max: lastDay }),
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 0, max: 6 }),
          (startDay, weeks, extraDays) => {
            const endDay = startDay + 7 * weeks + extraDays;
            expect(occurrenceDates(master(startDay, endDay))).toEqual(byDateArithmetic(startDay, endDay));
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
