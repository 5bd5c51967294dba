import { RRule } from 'rrule';
import { byKey, type DesiredEvent, type EventContent, type TpEvent } from '../domain/types';
import { canonicalJson, contentHash } from './contentHash';
import { eventKey } from './eventKey';

/**
 * SERIES_MODE=weekly: a person's occurrences of one TP activity that repeat weekly become one
 * Graph series master plus per-occurrence exceptions, so a semester is a handful of writes, not
 * one per week. A week whose occurrence differs from the series (its own topic, room, a move
 * within the week, a cancellation) is an exception: after the master exists kada PATCHes that
 * week's instance (Graph cannot declare exceptions in the master's body). A week without the
 * activity ends the series; deleting instances instead would cost the same one write but could
 * never be undone when TP brings the week back.
 *
 * Where a series starts and ends is chosen per activity by minimising writes (one per master,
 * one per exception, one per single event), so a room change half-way through the semester
 * gives two series rather than one with seven exceptions. Every entry is still an ordinary
 * desired event with a key and a hash; exceptions carry `exceptionOf`, and the master's hash
 * covers its recurrence, so a series that grows or shrinks is replaced as a whole.
 */
export interface SeriesCandidate {
  readonly event: Pick<TpEvent, 'id' | 'eventid'>;
  readonly desired: DesiredEvent;
}

export interface WeeklyRecurrence {
  pattern: { type: 'weekly'; interval: 1; daysOfWeek: string[]; firstDayOfWeek: 'monday' };
  range: { type: 'endDate'; startDate: string; endDate: string };
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY = 86_400_000;
const SERIES_PREFIX = 'weekly:';
const EXCEPTION_SEPARATOR = '@';

/** Key of a series master: the key of its first occurrence, marked as a series. */
export const seriesKey = (first: SeriesCandidate) =>
  eventKey(first.desired.course, `${SERIES_PREFIX}${first.event.eventid}`);

export const isSeriesKey = (key: string) => key.includes(`:${SERIES_PREFIX}`);

/** Key of the exception of one week of a series: the master's key and the instance's original date. */
export const exceptionKey = (masterKey: string, originalDate: string) =>
  `${masterKey}${EXCEPTION_SEPARATOR}${originalDate}`;

export function parseExceptionKey(key: string): { masterKey: string; originalDate: string } | null {
  if (!isSeriesKey(key)) return null;
  const at = key.lastIndexOf(EXCEPTION_SEPARATOR);
  const originalDate = key.slice(at + 1);
  if (at < 0 || !/^\d{4}-\d{2}-\d{2}$/.test(originalDate)) return null;
  return { masterKey: key.slice(0, at), originalDate };
}

const dateOf = (dateTime: string) => dateTime.slice(0, 10);
const dayNumber = (date: string) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY;
const dateOfDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** Monday-based week number; day 0 (1970-01-01) was a Thursday. */
const weekOf = (day: number) => Math.floor((day + 3) / 7);

/** When an occurrence happens, apart from which week: equal timings can share a master. */
const timings = new WeakMap<DesiredEvent, string>();
function timingOf(d: DesiredEvent): string {
  let timing = timings.get(d);
  if (timing === undefined) {
    const { start, end } = d.content;
    const startDay = dayNumber(dateOf(start.dateTime));
    timing = canonicalJson({
      startTime: start.dateTime.slice(11),
      endTime: end.dateTime.slice(11),
      spanDays: dayNumber(dateOf(end.dateTime)) - startDay,
      weekday: ((startDay % 7) + 11) % 7,
      zones: [start.timeZone, end.timeZone],
    });
    timings.set(d, timing);
  }
  return timing;
}

/** Everything about an occurrence except which week it is in: equal shapes need no exception. */
const shapes = new WeakMap<DesiredEvent, string>();
function shapeOf(d: DesiredEvent): string {
  let shape = shapes.get(d);
  if (shape === undefined) {
    const { start: _s, end: _e, recurrence: _r, ...rest } = d.content;
    shape = `${timingOf(d)}\u0000${canonicalJson(rest)}`;
    shapes.set(d, shape);
  }
  return shape;
}

/** The content an occurrence of `master` has on `originalDate` when nobody changed it. */
export function occurrenceOf(master: DesiredEvent, originalDate: string): EventContent {
  const { recurrence: _r, ...content } = master.content;
  const shift = dayNumber(originalDate) - dayNumber(dateOf(content.start.dateTime));
  const moved = (v: { dateTime: string; timeZone: string }) => ({
    dateTime: `${dateOfDay(dayNumber(dateOf(v.dateTime)) + shift)}${v.dateTime.slice(10)}`,
    timeZone: v.timeZone,
  });
  return { ...content, start: moved(content.start), end: moved(content.end) };
}

/** rrule's weekdays in the order of WEEKDAYS (Sunday first, like Date.getUTCDay). */
const RRULE_WEEKDAYS = [RRule.SU, RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA];

/**
 * A date as rrule wants it: midnight UTC standing for the date itself ("floating" time). Dates
 * only, never instants in a zone, so no DST change can move an occurrence to another day.
 */
const floatingDate = (date: string) => new Date(dayNumber(date) * DAY);

/** The original dates of every week of a master, in order: where its instances are. */
export function occurrenceDates(master: DesiredEvent): string[] {
  const { pattern, range } = master.content.recurrence as WeeklyRecurrence;
  const rule = new RRule({
    freq: RRule.WEEKLY,
    interval: pattern.interval,
    byweekday: pattern.daysOfWeek.map((d) => RRULE_WEEKDAYS[WEEKDAYS.indexOf(d)]!),
    wkst: RRule.MO,
    dtstart: floatingDate(range.startDate),
    until: floatingDate(range.endDate),
  });
  return rule.all().map((d) => dateOfDay(d.getTime() / DAY));
}

interface Week {
  week: number;
  c: SeriesCandidate;
  /** Has the timing of the series, so it can be the occurrence the master is drawn from. */
  onTime: boolean;
}

/** A run of consecutive weeks written as one master and its exceptions. */
interface Segment {
  from: number;
  to: number; // inclusive
  base: SeriesCandidate;
}

/**
 * Splits consecutive weeks into series and single events with the fewest writes: a segment of
 * n weeks costs 1 + (n - weeks equal to its base) as a series, n as single events.
 */
function segmentsOf(weeks: Week[]): (Segment | null)[] {
  const n = weeks.length;
  const best = new Array<number>(n + 1).fill(Infinity);
  const choice = new Array<Segment | null>(n + 1).fill(null);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    // Week j-1 as a single event...
    best[j] = best[j - 1]! + 1;
    choice[j] = null;
    // ...or as the last week of a series starting at week i.
    const counts = new Map<string, { n: number; first: SeriesCandidate }>();
    let top: { n: number; first: SeriesCandidate } | null = null;
    for (let i = j - 1; i >= 0; i--) {
      const w = weeks[i]!;
      if (w.onTime) {
        const shape = shapeOf(w.c.desired);
        const entry = counts.get(shape) ?? { n: 0, first: w.c };
        entry.n++;
        entry.first = w.c; // walking backwards: ends up at the earliest week of that shape
        counts.set(shape, entry);
        if (!top || entry.n >= top.n) top = entry; // on a tie, the earlier weeks' shape
      }
      const len = j - i;
      if (len < 2 || !top || top.n < 2) continue;
      const cost = best[i]! + 1 + (len - top.n);
      if (cost < best[j]!) {
        best[j] = cost;
        choice[j] = { from: i, to: j - 1, base: top.first };
      }
    }
  }
  const out: (Segment | null)[] = new Array(n).fill(null);
  for (let j = n; j > 0; ) {
    const seg = choice[j];
    if (seg) {
      for (let k = seg.from; k <= seg.to; k++) out[k] = seg;
      j = seg.from;
    } else j--;
  }
  return out;
}

/** Masters and exceptions per segment, remembered per base event so a course fan-out shares them. */
const built = new WeakMap<DesiredEvent, Map<string, DesiredEvent[]>>();

function buildSeries(weeks: Week[], seg: Segment): DesiredEvent[] {
  const run = weeks.slice(seg.from, seg.to + 1);
  const base = seg.base.desired;
  const signature = run.map((w) => `${w.c.desired.key}:${w.c.desired.hash}`).join('\n');
  let byRun = built.get(base);
  const hit = byRun?.get(signature);
  if (hit) return hit;

  const baseDay = dayNumber(dateOf(base.content.start.dateTime));
  const baseWeek = weekOf(baseDay);
  const dayIn = (week: number) => baseDay + 7 * (week - baseWeek);
  const first = run[0]!;
  const startDate = dateOfDay(dayIn(first.week));
  const recurrence: WeeklyRecurrence = {
    pattern: {
      type: 'weekly',
      interval: 1,
      daysOfWeek: [WEEKDAYS[new Date(baseDay * DAY).getUTCDay()]!],
      firstDayOfWeek: 'monday',
    },
    range: { type: 'endDate', startDate, endDate: dateOfDay(dayIn(run[run.length - 1]!.week)) },
  };
  const key = seriesKey(first.c);
  const shifted = occurrenceOf(base, startDate);
  const content: EventContent = { ...shifted, recurrence };
  const master: DesiredEvent = { key, course: base.course, content, hash: contentHash(content) };
  const out: DesiredEvent[] = [master];
  const baseShape = shapeOf(base);
  for (const w of run) {
    if (w.onTime && shapeOf(w.c.desired) === baseShape) continue;
    const originalDate = dateOfDay(dayIn(w.week));
    out.push({ ...w.c.desired, key: exceptionKey(key, originalDate), exceptionOf: { masterKey: key, originalDate } });
  }
  if (!byRun) {
    byRun = new Map();
    built.set(base, byRun);
  }
  if (byRun.size < 64) byRun.set(signature, out);
  return out;
}

/** One activity's occurrences as series, exceptions and single events. */
function activitySeries(items: SeriesCandidate[], out: DesiredEvent[]): void {
  if (items.length < 2) {
    for (const c of items) out.push(c.desired);
    return;
  }
  // The series' timing is the activity's most common one; other weeks can only be exceptions.
  const counts = new Map<string, number>();
  for (const c of items) counts.set(timingOf(c.desired), (counts.get(timingOf(c.desired)) ?? 0) + 1);
  let timing = '';
  let most = 0;
  for (const [t, n] of counts) if (n > most) [timing, most] = [t, n];
  if (most < 2) {
    for (const c of items) out.push(c.desired);
    return;
  }
  const sorted = [...items].sort((a, b) =>
    a.desired.content.start.dateTime < b.desired.content.start.dateTime
      ? -1
      : a.desired.content.start.dateTime > b.desired.content.start.dateTime
        ? 1
        : a.desired.key < b.desired.key
          ? -1
          : 1,
  );
  // One occurrence per week can be part of a series: an on-time one first, else the first moved one.
  const byWeek = new Map<number, Week>();
  for (const onTime of [true, false]) {
    for (const c of sorted) {
      if ((timingOf(c.desired) === timing) !== onTime) continue;
      const week = weekOf(dayNumber(dateOf(c.desired.content.start.dateTime)));
      if (!byWeek.has(week)) byWeek.set(week, { week, c, onTime });
    }
  }
  const inWeeks = new Set([...byWeek.values()].map((w) => w.c));
  for (const c of sorted) if (!inWeeks.has(c)) out.push(c.desired);

  const weeks = [...byWeek.values()].sort((a, b) => a.week - b.week);
  let start = 0;
  for (let k = 1; k <= weeks.length; k++) {
    if (k < weeks.length && weeks[k]!.week === weeks[k - 1]!.week + 1) continue;
    const run = weeks.slice(start, k);
    const segments = segmentsOf(run);
    for (let i = 0; i < run.length; i++) {
      const seg = segments[i];
      if (!seg) out.push(run[i]!.c.desired);
      else if (seg.from === i) out.push(...buildSeries(run, seg));
    }
    start = k;
  }
}

/**
 * Groups one person's selected occurrences into weekly series (masters with exceptions) where
 * that takes fewer writes; everything else is returned as it was. Sorted by key.
 */
export function weeklySeries(selected: Iterable<SeriesCandidate>): DesiredEvent[] {
  const activities = new Map<string, SeriesCandidate[]>();
  for (const c of selected) {
    const { course } = c.desired;
    const activity = `${course.semester}:${course.courseId},${course.version}\u0000${c.event.id}`;
    const list = activities.get(activity);
    if (list) list.push(c);
    else activities.set(activity, [c]);
  }
  const out: DesiredEvent[] = [];
  for (const items of activities.values()) activitySeries(items, out);
  return out.sort(byKey);
}
