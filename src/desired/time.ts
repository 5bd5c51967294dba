import { DateTime } from 'luxon';

/**
 * TP writes ISO 8601 local times with an offset that may be short (`+02`) and a space instead of
 * the `T` (`2026-08-27 14:15:00+02`). The instant is what matters; the zone kada writes in is its own.
 */
const TP_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)$/;

export function parseTpTime(text: string): DateTime | null {
  if (typeof text !== 'string') return null;
  const m = TP_TIME.exec(text.trim());
  if (!m) return null;
  const [, date, time, zone] = m as unknown as [string, string, string, string];
  let offset = zone;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offset = `${zone[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2, 4) : '00'}`;
  }
  const dt = DateTime.fromISO(`${date}T${time}${offset}`, { setZone: true });
  return dt.isValid ? dt : null;
}

/** Graph's dateTimeTimeZone: wall-clock time in `zone`, no offset in the string. */
export function toGraphDateTime(dt: DateTime, zone: string): { dateTime: string; timeZone: string } {
  return { dateTime: dt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: zone };
}

/** Reads a Graph dateTimeTimeZone back into an instant (Graph answers in UTC unless asked otherwise). */
export function fromGraphDateTime(v: { dateTime: string; timeZone: string }): DateTime {
  const zone = v.timeZone === 'UTC' || v.timeZone === 'Coordinated Universal Time' ? 'utc' : v.timeZone;
  return DateTime.fromISO(v.dateTime, { zone });
}
