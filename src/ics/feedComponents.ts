import { createHash } from 'node:crypto';
import { type DateTime, IANAZone } from 'luxon';
import { RRule, type Weekday } from 'rrule';
import { canonicalJson } from '../desired/contentHash';
import { occurrenceDates, occurrenceOf, type WeeklyRecurrence } from '../desired/series';
import { fromGraphDateTime } from '../desired/time';
import type { DesiredEvent, EventContent } from '../domain/types';
import { plainText } from './plainText';

/**
 * A person's desired events (the same ones their mailbox gets) as the VEVENTs of their ICS feed
 * (rooms-ics.md "ICS feeds"), pure. A single event is one VEVENT; with SERIES_MODE=weekly a series
 * master is one VEVENT with an RRULE, and each of its exceptions a VEVENT with the master's UID and a
 * RECURRENCE-ID (the week's original start). desired/series.ts ends a series at a week without the
 * activity, so no week inside a rule is ever missing and no EXDATE is needed.
 * A time the zone's clock names twice (the repeated autumn hour) is written in UTC.
 * Each component carries a hash of everything it says, so the feed can raise its SEQUENCE exactly
 * when something in it changes.
 */

export interface FeedSettings {
  institution: string;
  /** KADA_TIMEZONE: DTSTART;TZID= is written in this IANA zone. */
  timezone: string;
}

export interface FeedComponent {
  /** Where its SEQUENCE is kept: the event key (for an override, the exception key). */
  key: string;
  uid: string;
  /** In settings.timezone, or in UTC when the wall time there is ambiguous (the hour repeated in autumn). */
  start: DateTime;
  end: DateTime;
  zoned: boolean;
  summary: string;
  location: string;
  description: string;
  cancelled: boolean;
  categories: string[];
  /** The RRULE line of a series master. */
  rrule: string | null;
  /** An override: the original start of the week it replaces. */
  recurrenceId: DateTime | null;
  hash: string;
}

const RRULE_DAYS: Record<string, Weekday> = {
  monday: RRule.MO,
  tuesday: RRule.TU,
  wednesday: RRule.WE,
  thursday: RRule.TH,
  friday: RRule.FR,
  saturday: RRule.SA,
  sunday: RRule.SU,
};

/** `<key>@<institution>`: stable for as long as the occurrence (or series) exists, unique across feeds. */
export const uidOf = (key: string, institution: string) => `${key}@${institution}`;

const HOUR = 3_600_000;

/**
 * Whether the zone's wall time at `ms` also names another instant (the hour repeated when the clocks
 * go back): RFC 5545 reads such a time as the first of the two, so the second must be written in UTC.
 */
function ambiguous(ms: number, timezone: string): boolean {
  const zone = IANAZone.create(timezone);
  const before = zone.offset(ms - 3 * HOUR);
  const after = zone.offset(ms + 3 * HOUR);
  if (before === after) return false;
  const shift = Math.abs(before - after) * 60_000;
  const wall = (t: number) => t + zone.offset(t) * 60_000;
  return wall(ms - shift) === wall(ms) || wall(ms + shift) === wall(ms);
}

function instant(v: EventContent['start'], timezone: string): { at: DateTime; zoned: boolean } {
  const at = fromGraphDateTime(v);
  const zoned = v.timeZone !== 'UTC' && !ambiguous(at.toMillis(), timezone);
  return zoned ? { at: at.setZone(timezone), zoned } : { at: at.toUTC(), zoned };
}

function ruleOf(master: DesiredEvent, timezone: string): string {
  const { pattern } = master.content.recurrence as WeeklyRecurrence;
  const dates = occurrenceDates(master);
  const last = occurrenceOf(master, dates[dates.length - 1]!);
  // UNTIL is inclusive and, with a DTSTART in a zone, written in UTC (RFC 5545 3.3.10).
  const until = instant(last.start, timezone).at.toJSDate();
  const rule = new RRule({
    freq: RRule.WEEKLY,
    interval: pattern.interval,
    byweekday: pattern.daysOfWeek.map((d) => RRULE_DAYS[d]!),
    wkst: RRule.MO,
    until,
  });
  return rule.toString();
}

function componentOf(
  d: DesiredEvent,
  settings: FeedSettings,
  uidKey: string,
  extra: { rrule: string | null; recurrenceId: DateTime | null },
): FeedComponent {
  const c = d.content;
  const start = instant(c.start, settings.timezone);
  const end = instant(c.end, settings.timezone);
  const zoned = start.zoned && end.zoned;
  const body = {
    uid: uidOf(uidKey, settings.institution),
    start: zoned ? start.at : start.at.toUTC(),
    end: zoned ? end.at : end.at.toUTC(),
    zoned,
    summary: c.subject,
    location: c.location.displayName,
    description: plainText(c.body.content),
    cancelled: c.showAs === 'free',
    categories: [...c.categories],
    ...extra,
  };
  const hash = createHash('sha256')
    .update(
      canonicalJson({
        ...body,
        start: body.start.toISO(),
        end: body.end.toISO(),
        recurrenceId: body.recurrenceId?.toISO() ?? null,
      }),
    )
    .digest('hex')
    .slice(0, 32);
  return { key: d.key, ...body, hash };
}

/** Every VEVENT of a feed, in the order of the desired events (by key: a master before its overrides). */
export function feedComponents(desired: readonly DesiredEvent[], settings: FeedSettings): FeedComponent[] {
  const masters = new Map(desired.filter((d) => d.content.recurrence).map((d) => [d.key, d]));
  const out: FeedComponent[] = [];
  for (const d of desired) {
    if (d.exceptionOf) {
      const master = masters.get(d.exceptionOf.masterKey);
      if (!master) continue; // an exception without its master has no week to replace
      const original = occurrenceOf(master, d.exceptionOf.originalDate);
      const recurrenceId = instant(original.start, settings.timezone).at;
      out.push(componentOf(d, settings, master.key, { rrule: null, recurrenceId }));
    } else if (d.content.recurrence) {
      out.push(componentOf(d, settings, d.key, { rrule: ruleOf(d, settings.timezone), recurrenceId: null }));
    } else {
      out.push(componentOf(d, settings, d.key, { rrule: null, recurrenceId: null }));
    }
  }
  return out;
}
