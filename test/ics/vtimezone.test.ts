import { describe, expect, it } from 'vitest';
import { transitions, vtimezone } from '../../src/ics/vtimezone';

describe('vtimezone', () => {
  it("lists Oslo's changes of 2026 at 01:00 UTC on the last Sundays of March and October", () => {
    const t = transitions('Europe/Oslo', 2026, 2026).filter((x) => new Date(x.at).getUTCFullYear() === 2026);
    expect(t.map((x) => [new Date(x.at).toISOString(), x.from, x.to])).toEqual([
      ['2026-03-29T01:00:00.000Z', 60, 120],
      ['2026-10-25T01:00:00.000Z', 120, 60],
    ]);
    const text = vtimezone('Europe/Oslo', 2026, 2026);
    expect(text).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200');
    expect(text).toContain('BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100');
    // The year before is covered too, so January 2026 has an observance in effect.
    expect(text).toContain('DTSTART:20251026T030000');
  });

  it('gives a zone without changes one STANDARD observance', () => {
    const text = vtimezone('Asia/Tokyo', 2026, 2027);
    expect(text.match(/BEGIN:STANDARD/g)).toHaveLength(1);
    expect(text).toContain('TZOFFSETTO:+0900');
    expect(text).not.toContain('DAYLIGHT');
  });
});
