import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';
import { ianaZoneName, windowsZoneName } from '../domain/timeZoneNames';

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
  return fastParse(date, time, zone) ?? luxonParse(date, time, zone);
}

function luxonParse(date: string, time: string, zone: string): DateTime | null {
  let offset = zone;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    // Luxon takes +25:00, and +02:75 as +03:15; no real offset looks like either: the time is unparsable.
    if (Number(digits.slice(0, 2)) > 18 || (digits.length > 2 && Number(digits.slice(2, 4)) > 59)) return null;
    offset = `${zone[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2, 4) : '00'}`;
  }
  const dt = DateTime.fromISO(`${date}T${time}${offset}`, { setZone: true });
  return dt.isValid ? dt : null;
}

/**
 * The same result as luxonParse for ordinary times, several times faster (content for every
 * occurrence of a course is computed on each TP change). Anything unusual (24:00, odd offsets,
 * invalid dates) returns undefined and goes the luxon way, so both paths agree by construction.
 */
function fastParse(date: string, time: string, zone: string): DateTime | null | undefined {
  const y = +date.slice(0, 4);
  const mo = +date.slice(5, 7);
  const d = +date.slice(8, 10);
  const h = +time.slice(0, 2);
  const mi = +time.slice(3, 5);
  const sec = time.length >= 8 ? +time.slice(6, 8) : 0;
  const frac = time.length > 9 ? Math.floor(+`0${time.slice(8)}` * 1000) : 0;
  let offset = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 18 || om > 59) return undefined;
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined;
  const local = Date.UTC(y, mo - 1, d, h, mi, sec, frac);
  if (new Date(local).getUTCDate() !== d) return undefined;
  return DateTime.fromMillis(local - offset * 60_000, { zone: FixedOffsetZone.instance(offset) });
}

const QUARTER_HOUR = 900_000;
const offsetCache = new Map<string, Map<number, number>>();

/**
 * The zone's UTC offset in minutes at `ms`, or null for an unknown zone. Asking Intl is the slow
 * part of writing a time, and a course's occurrences share a handful of offsets: offsets are
 * remembered per quarter hour, only for quarters whose start and end agree (so never across a
 * transition).
 */
function zoneOffset(zone: string, ms: number): number | null {
  let byQuarter = offsetCache.get(zone);
  if (!byQuarter) {
    if (!IANAZone.isValidZone(zone)) return null;
    byQuarter = new Map();
    offsetCache.set(zone, byQuarter);
  }
  const quarter = Math.floor(ms / QUARTER_HOUR);
  const hit = byQuarter.get(quarter);
  if (hit !== undefined) return hit;
  const iana = IANAZone.create(zone);
  const offset = iana.offset(ms);
  if (
    byQuarter.size < 100_000 &&
    iana.offset(quarter * QUARTER_HOUR) === iana.offset((quarter + 1) * QUARTER_HOUR - 1)
  ) {
    byQuarter.set(quarter, offset);
  }
  return offset;
}

/**
 * Graph's dateTimeTimeZone: wall-clock time in the IANA `zone`, no offset in the string, named by the
 * zone's Windows name (graph.md "Time zones": Graph does not take every IANA name). An instant in the
 * hour that repeats when the clocks go back (02:00-03:00 in Oslo on the last Sunday of October) has
 * no unambiguous wall-clock time there, so it is written in UTC instead: Graph would otherwise read
 * it as the other instant, and an event could end before it starts.
 */
export function toGraphDateTime(dt: DateTime, zone: string): { dateTime: string; timeZone: string } {
  const ms = dt.toMillis();
  const offset = Number.isFinite(ms) ? zoneOffset(zone, ms) : null;
  // Wall clock = instant + the zone's offset at that instant; ISO formatting of the shifted UTC
  // date is much cheaper than luxon's toFormat and gives the same text for years 1000-9999.
  let wall: string | null = null;
  if (offset !== null) {
    const iso = new Date(ms + offset * 60_000).toISOString();
    if (iso.length === 24) wall = iso.slice(0, 19);
  }
  wall ??= dt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
  const nearTransition =
    offset === null || zoneOffset(zone, ms - 3_600_000) !== offset || zoneOffset(zone, ms + 3_600_000) !== offset;
  // Graph's dateTime has whole seconds: compare with the instant cut to the second, as written.
  if (nearTransition && DateTime.fromISO(wall, { zone }).toMillis() !== Math.floor(ms / 1000) * 1000) {
    return { dateTime: new Date(ms).toISOString().slice(0, 19), timeZone: 'UTC' };
  }
  // Config refuses a zone without a Windows name; the IANA name is only a last resort here.
  return { dateTime: wall, timeZone: windowsZoneName(zone) ?? zone };
}

/**
 * Reads a Graph dateTimeTimeZone back into an instant (Graph answers in UTC unless asked otherwise),
 * whether its zone has a Windows name (what kada writes) or an IANA name. Invalid for an unknown zone.
 */
export function fromGraphDateTime(v: { dateTime: string; timeZone: string }): DateTime {
  return DateTime.fromISO(v.dateTime, { zone: ianaZoneName(v.timeZone) ?? v.timeZone });
}
