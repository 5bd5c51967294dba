import type { DesiredEvent, EventContent, TpEvent } from '../domain/types';
import { canonicalJson, contentHash } from './contentHash';
import { eventKey } from './eventKey';

/**
 * SERIES_MODE=weekly: a person's weekly-repeating occurrences of one TP activity time become one
 * Graph series master instead of one event each, so a semester is a dozen writes, not hundreds.
 *
 * Graph cannot declare exceptions in a master's body (they are separate PATCH/DELETE calls on
 * occurrences after the master exists), so kada does not create any: a week that is moved,
 * cancelled, re-roomed or has its own topic simply differs from its neighbours, stays a single
 * event, and splits the series around it. Every resulting entry is still an ordinary desired
 * event with a key and a hash, so diff and the writer need nothing special; the master's hash
 * covers its recurrence, so a series that grows or shrinks is updated in place.
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

/** Key of a series master: the key of its first occurrence, marked as a series. */
export const seriesKey = (first: SeriesCandidate) => eventKey(first.desired.course, `${SERIES_PREFIX}${first.event.eventid}`);

export const isSeriesKey = (key: string) => key.includes(`:${SERIES_PREFIX}`);

const dateOf = (dateTime: string) => dateTime.slice(0, 10);
const dayNumber = (date: string) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY;

/** Everything about an occurrence except which week it is in; equal shapes can share a series. */
const shapes = new WeakMap<DesiredEvent, string>();
function shapeOf(d: DesiredEvent): string {
  let shape = shapes.get(d);
  if (shape === undefined) {
    const { start, end, recurrence: _ignored, ...rest } = d.content;
    const startDay = dayNumber(dateOf(start.dateTime));
    shape = canonicalJson({
      rest,
      startTime: start.dateTime.slice(11),
      endTime: end.dateTime.slice(11),
      spanDays: dayNumber(dateOf(end.dateTime)) - startDay,
      weekday: ((startDay % 7) + 11) % 7, // 1970-01-01 was a Thursday
      zones: [start.timeZone, end.timeZone],
    });
    shapes.set(d, shape);
  }
  return shape;
}

/** One master per run of events, remembered per first event so a course fan-out shares them. */
const masters = new WeakMap<DesiredEvent, Map<string, DesiredEvent>>();
function master(run: SeriesCandidate[]): DesiredEvent {
  const first = run[0]!.desired;
  const last = run[run.length - 1]!.desired;
  const signature = run.map((c) => c.desired.key).join('\n');
  let byRun = masters.get(first);
  const hit = byRun?.get(signature);
  if (hit) return hit;
  const startDate = dateOf(first.content.start.dateTime);
  const recurrence: WeeklyRecurrence = {
    pattern: {
      type: 'weekly',
      interval: 1,
      daysOfWeek: [WEEKDAYS[new Date(dayNumber(startDate) * DAY).getUTCDay()]!],
      firstDayOfWeek: 'monday',
    },
    range: { type: 'endDate', startDate, endDate: dateOf(last.content.start.dateTime) },
  };
  const content: EventContent = { ...first.content, recurrence };
  const desired: DesiredEvent = { key: seriesKey(run[0]!), course: first.course, content, hash: contentHash(content) };
  if (!byRun) masters.set(first, (byRun = new Map()));
  if (byRun.size < 64) byRun.set(signature, desired);
  return desired;
}

/**
 * Groups one person's selected occurrences into weekly series where they repeat unchanged on
 * consecutive weeks (at least two); everything else is returned as it was. Sorted by key.
 */
export function weeklySeries(selected: Iterable<SeriesCandidate>): DesiredEvent[] {
  const groups = new Map<string, { c: SeriesCandidate; day: number }[]>();
  for (const c of selected) {
    const { course, content } = c.desired;
    const group = `${course.semester}:${course.courseId},${course.version}\u0000${c.event.id}\u0000${shapeOf(c.desired)}`;
    const item = { c, day: dayNumber(dateOf(content.start.dateTime)) };
    const list = groups.get(group);
    if (list) list.push(item);
    else groups.set(group, [item]);
  }
  const out: DesiredEvent[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => a.day - b.day || (a.c.desired.key < b.c.desired.key ? -1 : 1));
    let run: { c: SeriesCandidate; day: number }[] = [];
    const flush = () => {
      if (run.length >= 2) out.push(master(run.map((r) => r.c)));
      else for (const r of run) out.push(r.c.desired);
      run = [];
    };
    for (const item of list) {
      const prev = run[run.length - 1];
      if (prev && item.day - prev.day !== 7) flush();
      run.push(item);
    }
    flush();
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
