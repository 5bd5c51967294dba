import { DateTime } from 'luxon';
import { RRule, type Options } from 'rrule';
import { resolveTimeZone } from './graphTime';

/**
 * What a person sees of a series master: its occurrences, expanded from Graph's
 * patternedRecurrence the way Outlook lays them out (wall-clock time of the master's start in the
 * recurrence's time zone, so an 08:15 lecture stays 08:15 across a DST change). Only for the
 * emulator's `/instances` and inspection API, with the person's exceptions and cancellations laid over.
 * Supports the patterns kada writes (weekly) and daily; other patterns are refused, not guessed.
 */

export interface RecurrencePattern {
  type: string;
  interval?: number;
  daysOfWeek?: string[];
  firstDayOfWeek?: string;
}

export interface RecurrenceRange {
  type: string;
  startDate: string;
  endDate?: string;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string;
}

export interface Recurrence {
  pattern: RecurrencePattern;
  range: RecurrenceRange;
}

export interface SeriesStart {
  startMs: number;
  endMs: number;
  /** The zone the master was written in (originalStartTimeZone), Windows or IANA name. */
  startTimeZone: string;
}

export interface Instance {
  startMs: number;
  endMs: number;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_MS = 86_400_000;
/** A `noEnd` series is expanded this far (occurrences); Outlook shows such series indefinitely. */
const NO_END_LIMIT = 520;

const dayNumber = (date: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`recurrence: not a date: ${JSON.stringify(date)}`);
  return Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY_MS;
};
/** rrule's weekdays in the order of WEEKDAYS (Sunday first, like Date.getUTCDay). */
const RRULE_WEEKDAYS = [RRule.SU, RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA];

/**
 * Graph's pattern and range as an RFC 5545 rule over dates: rrule gets each date as midnight UTC
 * ("floating"), so the days it yields never move with DST; the wall-clock time is put on afterwards.
 * Graph's weekly pattern is RFC 5545's: every interval-th week counted from the start date's week
 * (weeks begin on firstDayOfWeek), on the listed days, the start date itself only if it matches.
 */
function dateRule(recurrence: Recurrence): RRule {
  const { pattern, range } = recurrence;
  const dtstart = new Date(dayNumber(range.startDate) * DAY_MS);
  const until = range.type === 'endDate' ? new Date(dayNumber(range.endDate ?? '') * DAY_MS) : null;
  const count =
    range.type === 'numbered'
      ? Math.max(0, range.numberOfOccurrences ?? 0)
      : range.type === 'noEnd'
        ? NO_END_LIMIT
        : null;
  if (!['endDate', 'numbered', 'noEnd'].includes(range.type))
    throw new Error(`recurrence: range type ${range.type} is not supported`);
  const options: Partial<Options> = { dtstart, until, count, interval: Math.max(1, pattern.interval ?? 1) };
  if (pattern.type === 'daily') return new RRule({ ...options, freq: RRule.DAILY });
  if (pattern.type === 'weekly') {
    const days = new Set((pattern.daysOfWeek ?? []).map((d) => WEEKDAYS.indexOf(d.toLowerCase())));
    if (days.size === 0 || days.has(-1))
      throw new Error(`recurrence: bad daysOfWeek ${JSON.stringify(pattern.daysOfWeek)}`);
    const firstDayOfWeek = Math.max(0, WEEKDAYS.indexOf((pattern.firstDayOfWeek ?? 'sunday').toLowerCase()));
    return new RRule({
      ...options,
      freq: RRule.WEEKLY,
      byweekday: [...days].map((d) => RRULE_WEEKDAYS[d]!),
      wkst: RRULE_WEEKDAYS[firstDayOfWeek]!,
    });
  }
  throw new Error(`recurrence: pattern type ${pattern.type} is not supported by the emulator`);
}

/** The instants of every occurrence of a series, in order. */
export function expandRecurrence(master: SeriesStart, recurrence: Recurrence): Instance[] {
  const zone = seriesZone(master, recurrence);
  const local = DateTime.fromMillis(master.startMs, { zone });
  const duration = master.endMs - master.startMs;
  return dateRule(recurrence)
    .all()
    .map((date) => {
      const start = DateTime.fromObject(
        {
          year: date.getUTCFullYear(),
          month: date.getUTCMonth() + 1,
          day: date.getUTCDate(),
          hour: local.hour,
          minute: local.minute,
          second: local.second,
          millisecond: local.millisecond,
        },
        { zone },
      ).toMillis();
      return { startMs: start, endMs: start + duration };
    });
}

/** The zone a series is laid out in: the recurrence's own, else the zone the master was written in. */
export function seriesZone(master: SeriesStart, recurrence: Recurrence): string {
  return resolveTimeZone(recurrence.range.recurrenceTimeZone ?? master.startTimeZone) ?? 'UTC';
}

/** What the person changed in a series: moved or edited occurrences (by original start), and cancelled ones. */
export interface SeriesChanges {
  exceptions: ReadonlyMap<number, Instance>;
  cancelled: ReadonlySet<number>;
}

export interface SeriesInstance extends Instance {
  /** Where the pattern puts this instance (Graph's `originalStart`), the instance's identity within the series. */
  originalStartMs: number;
  type: 'occurrence' | 'exception';
}

/**
 * The instances of a series as Outlook shows them: every slot of the pattern, an exception at its own
 * (possibly moved) time, cancelled slots left out. Sorted by start. Exceptions for slots the pattern no
 * longer has are ignored (the caller discards them when the pattern changes, as Exchange does).
 */
export function seriesInstances(master: SeriesStart, recurrence: Recurrence, changes: SeriesChanges): SeriesInstance[] {
  const out: SeriesInstance[] = [];
  for (const slot of expandRecurrence(master, recurrence)) {
    if (changes.cancelled.has(slot.startMs)) continue;
    const ex = changes.exceptions.get(slot.startMs);
    out.push(
      ex
        ? { originalStartMs: slot.startMs, startMs: ex.startMs, endMs: ex.endMs, type: 'exception' }
        : { originalStartMs: slot.startMs, ...slot, type: 'occurrence' },
    );
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.originalStartMs - b.originalStartMs);
}

/**
 * Outlook's rule for moving one occurrence: it may not start on or before the day of the previous
 * occurrence, nor on or after the day of the next one (days in the series' zone). Neighbours count
 * where they are now (a moved exception at its new time) and also when cancelled, as Exchange keeps
 * their slot. Returns false for a slot the series does not have (the caller answers 404 first).
 */
export function crossesAdjacentOccurrence(
  master: SeriesStart,
  recurrence: Recurrence,
  changes: SeriesChanges,
  originalStartMs: number,
  newStartMs: number,
): boolean {
  const slots = expandRecurrence(master, recurrence);
  const i = slots.findIndex((s) => s.startMs === originalStartMs);
  if (i === -1) return false;
  const zone = seriesZone(master, recurrence);
  const day = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate()!;
  const at = (slot: Instance) => changes.exceptions.get(slot.startMs)?.startMs ?? slot.startMs;
  const newDay = day(newStartMs);
  const prev = slots[i - 1];
  const next = slots[i + 1];
  return (prev !== undefined && newDay <= day(at(prev))) || (next !== undefined && newDay >= day(at(next)));
}

/** An event as the inspection API shows it. */
export interface ExpandableEvent {
  id: string;
  startUtc: string;
  endUtc: string;
  originalStartTimeZone: string;
  graph: Record<string, unknown>;
}

export type Occurrence<E extends ExpandableEvent> = E & {
  /** The series master's id for an occurrence or exception of a series, null for a single event. */
  seriesMasterId: string | null;
};
