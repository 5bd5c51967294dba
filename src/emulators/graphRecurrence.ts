import { DateTime } from 'luxon';
import { resolveTimeZone } from './graphTime';

/**
 * What a person sees of a series master: its occurrences, expanded from Graph's
 * patternedRecurrence the way Outlook lays them out (wall-clock time of the master's start in the
 * recurrence's time zone, so an 08:15 lecture stays 08:15 across a DST change). Only for the
 * emulator's inspection API: Graph itself would answer /calendarView with these instances.
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
/** 0 = Sunday, as Date.getUTCDay. */
const weekdayOf = (day: number) => new Date(day * DAY_MS).getUTCDay();

/** The instants of every occurrence of a series, in order. */
export function expandRecurrence(master: SeriesStart, recurrence: Recurrence): Instance[] {
  const { pattern, range } = recurrence;
  const zone = resolveTimeZone(range.recurrenceTimeZone ?? master.startTimeZone) ?? 'UTC';
  const local = DateTime.fromMillis(master.startMs, { zone });
  const duration = master.endMs - master.startMs;
  const interval = Math.max(1, pattern.interval ?? 1);
  const first = dayNumber(range.startDate);
  const last = range.type === 'endDate' ? dayNumber(range.endDate ?? '') : Infinity;
  const limit = range.type === 'numbered' ? Math.max(0, range.numberOfOccurrences ?? 0) : range.type === 'noEnd' ? NO_END_LIMIT : Infinity;
  if (!['endDate', 'numbered', 'noEnd'].includes(range.type)) throw new Error(`recurrence: range type ${range.type} is not supported`);

  let includes: (day: number) => boolean;
  if (pattern.type === 'daily') {
    includes = (day) => (day - first) % interval === 0;
  } else if (pattern.type === 'weekly') {
    const days = new Set((pattern.daysOfWeek ?? []).map((d) => WEEKDAYS.indexOf(d.toLowerCase())));
    if (days.size === 0 || days.has(-1)) throw new Error(`recurrence: bad daysOfWeek ${JSON.stringify(pattern.daysOfWeek)}`);
    const firstDayOfWeek = Math.max(0, WEEKDAYS.indexOf((pattern.firstDayOfWeek ?? 'sunday').toLowerCase()));
    const weekStart = (day: number) => day - ((weekdayOf(day) - firstDayOfWeek + 7) % 7);
    const firstWeek = weekStart(first);
    includes = (day) => days.has(weekdayOf(day)) && ((weekStart(day) - firstWeek) / 7) % interval === 0;
  } else {
    throw new Error(`recurrence: pattern type ${pattern.type} is not supported by the emulator`);
  }

  const out: Instance[] = [];
  for (let day = first; day <= last && out.length < limit; day++) {
    if (!includes(day)) continue;
    const date = new Date(day * DAY_MS);
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
    out.push({ startMs: start, endMs: start + duration });
  }
  return out;
}

/** An event as the inspection API shows it, enough to expand it. */
export interface ExpandableEvent {
  id: string;
  startUtc: string;
  endUtc: string;
  originalStartTimeZone: string;
  graph: Record<string, unknown>;
}

export type Occurrence<E extends ExpandableEvent> = E & {
  /** The series master's id for an occurrence of a series, null for a single event. */
  seriesMasterId: string | null;
};

/**
 * A mailbox's calendar as the person sees it: single events as they are, each series master
 * replaced by its occurrences (same content, their own start and end). Sorted by start.
 */
export function expandOccurrences<E extends ExpandableEvent>(events: E[]): Occurrence<E>[] {
  const out: Occurrence<E>[] = [];
  for (const e of events) {
    const recurrence = e.graph.recurrence as Recurrence | null | undefined;
    if (!recurrence) {
      out.push({ ...e, seriesMasterId: null });
      continue;
    }
    const master = { startMs: Date.parse(e.startUtc), endMs: Date.parse(e.endUtc), startTimeZone: e.originalStartTimeZone };
    for (const i of expandRecurrence(master, recurrence)) {
      out.push({ ...e, startUtc: new Date(i.startMs).toISOString(), endUtc: new Date(i.endMs).toISOString(), seriesMasterId: e.id });
    }
  }
  return out.sort((a, b) => (a.startUtc < b.startUtc ? -1 : a.startUtc > b.startUtc ? 1 : 0));
}
