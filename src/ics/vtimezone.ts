import { DateTime, IANAZone } from 'luxon';

/**
 * The VTIMEZONE of an IANA zone (RFC 5545 3.6.5) for the years a feed covers: every UTC offset change
 * from the year before the first to the end of the last, each as its own observance (no RRULE, so
 * no rule has to be guessed from the tz database). The year before is included so a time early in
 * the first year still falls after an observance's onset. A zone without changes gets one STANDARD.
 */

const DAY = 86_400_000;

const offsetText = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
};

/** The first millisecond in (from, to] where the zone's offset differs from its offset at `from`. */
function transitionIn(zone: IANAZone, from: number, to: number): number {
  const before = zone.offset(from);
  let lo = from;
  let hi = to;
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (zone.offset(mid) === before) lo = mid;
    else hi = mid;
  }
  // Offsets change on whole minutes: find the minute within the last interval.
  for (let t = Math.floor(lo / 60_000) * 60_000; t <= hi; t += 60_000) if (zone.offset(t) !== before) return t;
  return hi;
}

export interface Transition {
  at: number;
  from: number;
  to: number;
}

export function transitions(timezone: string, fromYear: number, toYear: number): Transition[] {
  const zone = IANAZone.create(timezone);
  const start = Date.UTC(fromYear - 1, 0, 1);
  const end = Date.UTC(toYear + 1, 0, 1);
  const out: Transition[] = [];
  for (let t = start; t < end; t += DAY) {
    const next = Math.min(t + DAY, end);
    if (zone.offset(t) === zone.offset(next)) continue;
    const at = transitionIn(zone, t, next);
    out.push({ at, from: zone.offset(at - 1), to: zone.offset(at) });
  }
  return out;
}

export function vtimezone(timezone: string, fromYear: number, toYear: number): string {
  const zone = IANAZone.create(timezone);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timezone}`, `X-LIC-LOCATION:${timezone}`];
  const found = transitions(timezone, fromYear, toYear);
  if (found.length === 0) {
    const offset = offsetText(zone.offset(Date.UTC(fromYear, 0, 1)));
    lines.push('BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`);
    lines.push('END:STANDARD');
  }
  for (const t of found) {
    // The onset is written as local time in the offset in effect before it (RFC 5545 3.6.5).
    const onset = DateTime.fromMillis(t.at + t.from * 60_000, { zone: 'utc' }).toFormat("yyyyMMdd'T'HHmmss");
    const kind = DateTime.fromMillis(t.at, { zone: timezone }).isInDST ? 'DAYLIGHT' : 'STANDARD';
    lines.push(`BEGIN:${kind}`, `DTSTART:${onset}`, `TZOFFSETFROM:${offsetText(t.from)}`);
    lines.push(`TZOFFSETTO:${offsetText(t.to)}`, `END:${kind}`);
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}
