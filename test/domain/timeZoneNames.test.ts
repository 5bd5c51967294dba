import { describe, expect, it } from 'vitest';
import { ianaZoneName, windowsZoneName } from '../../src/domain/timeZoneNames';
import { fromGraphDateTime } from '../../src/desired/time';

describe('time-zone names for Graph', () => {
  it('gives the Windows name of an IANA zone from CLDR windowsZones', () => {
    expect(windowsZoneName('Europe/Oslo')).toBe('W. Europe Standard Time');
    expect(windowsZoneName('Europe/London')).toBe('GMT Standard Time');
    expect(windowsZoneName('America/New_York')).toBe('Eastern Standard Time');
    expect(windowsZoneName('UTC')).toBe('UTC');
    expect(windowsZoneName('Etc/UTC')).toBe('UTC');
    // Aliases and spellings CLDR does not list go through ICU's canonical name.
    expect(windowsZoneName('Asia/Calcutta')).toBe('India Standard Time');
    expect(windowsZoneName('Europe/Kyiv')).toBe('FLE Standard Time');
    expect(windowsZoneName('europe/oslo')).toBe('W. Europe Standard Time');
  });

  it('has no Windows name for zones CLDR does not map, nor for unknown names', () => {
    expect(windowsZoneName('Antarctica/Troll')).toBeNull();
    expect(windowsZoneName('Mars/Olympus')).toBeNull();
  });

  it('reads back a Windows name, an IANA name or UTC as a zone luxon computes with', () => {
    expect(ianaZoneName('W. Europe Standard Time')).toBe('Europe/Berlin');
    expect(ianaZoneName('Pacific Standard Time')).toBe('America/Los_Angeles');
    expect(ianaZoneName('Europe/Oslo')).toBe('Europe/Oslo');
    expect(ianaZoneName('UTC')).toBe('UTC');
    expect(ianaZoneName('Coordinated Universal Time')).toBe('UTC');
    expect(ianaZoneName('Mars Standard Time')).toBeNull();
  });

  it('reads the same instant from either kind of name, summer and winter', () => {
    for (const [wall, utc] of [
      ['2026-08-27T14:15:00', '2026-08-27T12:15:00.000Z'],
      ['2026-11-26T08:15:00.0000000', '2026-11-26T07:15:00.000Z'],
    ] as const) {
      for (const timeZone of ['W. Europe Standard Time', 'Europe/Oslo', 'Europe/Berlin']) {
        expect(fromGraphDateTime({ dateTime: wall, timeZone }).toUTC().toISO()).toBe(utc);
      }
    }
  });
});
