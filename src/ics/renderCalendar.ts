import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { FeedComponent } from './feedComponents';
import { vtimezone } from './vtimezone';

/**
 * One feed as RFC 5545 text (ical-generator), from its components and what the feed remembers of
 * each: its SEQUENCE and DTSTAMP, both raised only when the component changed (store/icsFeeds.ts).
 * Pure: the same components and stamps give the same bytes, so the ETag stays while nothing changes.
 */

export interface ComponentStamp {
  sequence: number;
  stamp: Date;
}

export interface RenderSettings {
  timezone: string;
  /** The calendar's display name (X-WR-CALNAME), e.g. CALENDAR_NAME. */
  name: string;
}

/** The years a VTIMEZONE must cover: those of every start, end and original start in the feed. */
function yearsOf(components: readonly FeedComponent[], timezone: string): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const c of components) {
    for (const t of [c.start, c.end, c.recurrenceId]) {
      if (!t) continue;
      const y = t.setZone(timezone).year;
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
    // A rule runs to its UNTIL, which is at most a year after its start in a semester feed.
    if (c.rrule) hi = Math.max(hi, c.start.setZone(timezone).year + 1);
  }
  return Number.isFinite(lo) ? [lo, hi] : [2000, 2000];
}

export function renderCalendar(
  components: readonly FeedComponent[],
  stamps: ReadonlyMap<string, ComponentStamp>,
  settings: RenderSettings,
): string {
  const [fromYear, toYear] = yearsOf(components, settings.timezone);
  const cal = ical({
    prodId: { company: 'kada', product: 'timetable', language: 'EN' },
    name: settings.name,
    // name null: DTSTAMP and UNTIL stay in UTC; the generator writes the VTIMEZONE the events name.
    timezone: { name: null, generator: (tz) => vtimezone(tz, fromYear, toYear) },
  });
  for (const c of components) {
    const s = stamps.get(c.key) ?? { sequence: 0, stamp: new Date(0) };
    cal.createEvent({
      id: c.uid,
      sequence: s.sequence,
      stamp: s.stamp,
      start: c.start,
      end: c.end,
      timezone: c.zoned ? settings.timezone : null,
      summary: c.summary,
      location: c.location || null,
      description: c.description || null,
      status: c.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      transparency: c.cancelled ? ICalEventTransparency.TRANSPARENT : ICalEventTransparency.OPAQUE,
      categories: c.categories.map((name) => ({ name })),
      repeating: c.rrule,
      recurrenceId: c.recurrenceId,
    });
  }
  return cal.toString();
}
