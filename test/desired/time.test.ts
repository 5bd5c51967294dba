import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { fromGraphDateTime, parseTpTime, toGraphDateTime } from '../../src/desired/time';
import { windowsZoneName } from '../../src/domain/timeZoneNames';

const HOUR = 3_600_000;

/** 01:00 UTC on the last Sunday of a month: when EU clocks change. */
function transition(year: number, month: 3 | 10): number {
  const lastDay = new Date(Date.UTC(year, month, 0));
  return Date.UTC(year, month - 1, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** Oslo's UTC offset by the EU rule, independent of luxon and Intl: the oracle. */
function osloOffsetHours(t: number): 1 | 2 {
  const year = new Date(t).getUTCFullYear();
  return t >= transition(year, 3) && t < transition(year, 10) ? 2 : 1;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** TP's spelling of an instant in Oslo: `2026-03-29 03:15:00+02` and the like. */
function tpText(t: number, sep: 'T' | ' ', offsetStyle: 0 | 1 | 2): string {
  const hours = osloOffsetHours(t);
  const wall = iso(t + hours * HOUR).replace('T', sep);
  const offset = [`+0${hours}`, `+0${hours}00`, `+0${hours}:00`][offsetStyle];
  return `${wall}${offset}`;
}

const aroundTransitions = fc
  .record({
    year: fc.integer({ min: 2026, max: 2030 }),
    month: fc.constantFrom(3 as const, 10 as const),
    minutes: fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 }),
  })
  .map(({ year, month, minutes }) => transition(year, month) + minutes * 60_000);

describe('Oslo daylight saving time', () => {
  it('knows the transitions of 2026', () => {
    expect(iso(transition(2026, 3))).toBe('2026-03-29T01:00:00');
    expect(iso(transition(2026, 10))).toBe('2026-10-25T01:00:00');
  });

  it('writes the wall-clock time Oslo shows and reads back the same instant', () => {
    fc.assert(
      fc.property(
        aroundTransitions,
        fc.constantFrom('T' as const, ' ' as const),
        fc.constantFrom(0 as const, 1 as const, 2 as const),
        (t, sep, style) => {
          const parsed = parseTpTime(tpText(t, sep, style));
          expect(parsed?.toMillis()).toBe(t);
          const graph = toGraphDateTime(parsed!, 'Europe/Oslo');
          // From 02:00 to 03:00 on the October night Oslo shows every wall-clock time twice; a
          // zone-less dateTime cannot say which one is meant, so such an instant is written in UTC.
          const repeated =
            t >= transition(new Date(t).getUTCFullYear(), 10) - HOUR &&
            t < transition(new Date(t).getUTCFullYear(), 10) + HOUR;
          const oslo = { dateTime: iso(t + osloOffsetHours(t) * HOUR), timeZone: 'W. Europe Standard Time' };
          if (repeated) expect([oslo, { dateTime: iso(t), timeZone: 'UTC' }]).toContainEqual(graph);
          else expect(graph).toEqual(oslo);
          expect(fromGraphDateTime(graph).toMillis()).toBe(t);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads Graph's UTC answers as UTC", () => {
    const t = transition(2027, 10);
    expect(fromGraphDateTime({ dateTime: iso(t), timeZone: 'UTC' }).toMillis()).toBe(t);
    expect(fromGraphDateTime({ dateTime: `${iso(t)}.0000000`, timeZone: 'UTC' }).toMillis()).toBe(t);
  });
});

describe('parseTpTime', () => {
  const instant = Date.UTC(2026, 7, 25, 8, 15);

  it('accepts every offset and separator spelling TP uses', () => {
    for (const text of [
      '2026-08-25T10:15:00+02',
      '2026-08-25T10:15:00+0200',
      '2026-08-25T10:15:00+02:00',
      '2026-08-25 10:15:00+02',
      '2026-08-25 10:15+02:00',
      '2026-08-25T08:15:00Z',
      '2026-08-25 08:15:00Z',
      '2026-08-25T08:15:00.000Z',
      '2026-08-25T03:15:00-05',
    ]) {
      expect(parseTpTime(text)?.toMillis(), text).toBe(instant);
    }
  });

  it('rejects garbage and times without an offset', () => {
    for (const text of [
      '',
      'garbage',
      '2026-08-25',
      '2026-08-25T10:15:00',
      '2026-08-25T10:15:00+2',
      '2026-08-25T25:15:00+02',
      '2026-02-30T10:15:00+02',
      '2026-08-25T10:15:00+02:00 extra',
      '25.08.2026 10:15',
      '2026-08-25T10:15:00 CEST',
    ]) {
      expect(parseTpTime(text), text).toBeNull();
    }
    expect(parseTpTime(undefined as unknown as string)).toBeNull();
  });
});

describe('time conversion agrees with luxon', () => {
  const two = (n: number) => String(n).padStart(2, '0');

  it('parses like luxon for any valid local time and offset', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        fc.integer({ min: -12 * 4, max: 14 * 4 }),
        fc.constantFrom('T', ' '),
        (d, quarters, sep) => {
          const offset = quarters * 15;
          const sign = offset < 0 ? '-' : '+';
          const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
          const local = d.toISOString().slice(0, 23);
          const parsed = parseTpTime(`${local.replace('T', sep)}${zone}`);
          const expected = DateTime.fromISO(`${local}${zone}`, { setZone: true });
          expect(parsed?.toMillis()).toBe(expected.toMillis());
          expect(parsed?.offset).toBe(expected.offset);
        },
      ),
    );
  });

  it('writes the same wall-clock time as luxon in zones with odd offsets and transitions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom(
          'Europe/Oslo',
          'America/New_York',
          'Asia/Kolkata',
          'Australia/Lord_Howe',
          'Pacific/Chatham',
          'UTC',
        ),
        (ms, zone) => {
          const dt = DateTime.fromMillis(ms);
          const wall = dt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
          // Only the hour that repeats when clocks go back has no wall-clock time of its own (written in UTC).
          const unambiguous = DateTime.fromISO(wall, { zone }).toMillis() === Math.floor(ms / 1000) * 1000;
          expect(toGraphDateTime(dt, zone)).toEqual(
            unambiguous
              ? { dateTime: wall, timeZone: windowsZoneName(zone) }
              : { dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: 'UTC' },
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('keeps wall-clock time for an instant with milliseconds just before a transition (found by the property)', () => {
    // 2020-09-26T13:00:00.001Z, an hour before Chatham's clocks went forward.
    expect(toGraphDateTime(DateTime.fromMillis(1601125200001), 'Pacific/Chatham')).toEqual({
      dateTime: '2020-09-27T01:45:00',
      timeZone: 'Chatham Islands Standard Time',
    });
  });
});
