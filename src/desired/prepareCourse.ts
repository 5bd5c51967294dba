import type { ContentSettings, CourseRef, DataError, DesiredEvent, TpCourse, TpEvent } from '../domain/types';
import { contentHash } from './contentHash';
import { EventContentError, eventContent } from './eventContent';
import { eventKey } from './eventKey';

export interface PreparedEvent {
  readonly event: TpEvent;
  /** Shared by every person who gets this occurrence; treat as immutable. */
  readonly desired: DesiredEvent;
}

/**
 * One course with the content and hash of every occurrence computed once, plus indexes by the
 * selection rules of tp.md, so a fan-out over a course's students only picks references.
 */
export interface PreparedCourse {
  readonly kind: 'prepared';
  readonly source: TpCourse;
  readonly course: CourseRef;
  readonly settingsKey: string;
  /** Sorted by key. */
  readonly events: readonly PreparedEvent[];
  readonly plenary: readonly PreparedEvent[];
  readonly byActid: ReadonlyMap<string, readonly PreparedEvent[]>;
  /** Keyed by lower-cased staff id (username). */
  readonly byStaff: ReadonlyMap<string, readonly PreparedEvent[]>;
  readonly errors: readonly DataError[];
}

export const settingsKey = (s: ContentSettings) => `${s.institution}|${s.timezone}|${s.language}`;

export const isPreparedCourse = (c: TpCourse | PreparedCourse): c is PreparedCourse =>
  (c as PreparedCourse).kind === 'prepared';

function push<K>(map: Map<K, PreparedEvent[]>, key: K, value: PreparedEvent) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function prepareCourse(source: TpCourse, settings: ContentSettings): PreparedCourse {
  const course = source.course;
  const errors: DataError[] = source.rejected.map((r) => ({
    code: 'TP_EVENT_INVALID',
    message: `TP event ${r.eventid ?? '(no eventid)'} skipped: ${r.reason}`,
    course,
    eventid: r.eventid,
  }));
  const seen = new Set<string>();
  const events: PreparedEvent[] = [];
  for (const event of source.events) {
    if (seen.has(event.eventid)) {
      errors.push({
        code: 'TP_EVENT_DUPLICATE',
        message: `TP event ${event.eventid} appears more than once in the course; the first is used`,
        course,
        eventid: event.eventid,
      });
      continue;
    }
    seen.add(event.eventid);
    try {
      const content = eventContent(event, source.courseName, settings);
      const desired: DesiredEvent = {
        key: eventKey(course, event.eventid),
        course,
        content,
        hash: contentHash(content),
      };
      events.push({ event, desired });
    } catch (err) {
      if (!(err instanceof EventContentError)) throw err;
      errors.push({ code: err.code, message: err.message, course, eventid: event.eventid });
    }
  }
  events.sort((a, b) => (a.desired.key < b.desired.key ? -1 : a.desired.key > b.desired.key ? 1 : 0));

  const plenary: PreparedEvent[] = [];
  const byActid = new Map<string, PreparedEvent[]>();
  const byStaff = new Map<string, PreparedEvent[]>();
  for (const p of events) {
    if (p.event.plenary) plenary.push(p);
    if (p.event.actid) push(byActid, p.event.actid, p);
    const staffIds = new Set(p.event.staffs.map((s) => (s.id ?? '').trim().toLowerCase()).filter(Boolean));
    for (const id of staffIds) push(byStaff, id, p);
  }
  return {
    kind: 'prepared',
    source,
    course,
    settingsKey: settingsKey(settings),
    events,
    plenary,
    byActid,
    byStaff,
    errors,
  };
}

/**
 * Remembers prepared courses per TpCourse object (weakly, so dropped courses are collected).
 * Callers that fetch a course once and compute many persons from it share one cache.
 */
export class CourseContentCache {
  private readonly cache = new WeakMap<TpCourse, PreparedCourse>();

  get(course: TpCourse, settings: ContentSettings): PreparedCourse {
    const hit = this.cache.get(course);
    if (hit && hit.settingsKey === settingsKey(settings)) return hit;
    const prepared = prepareCourse(course, settings);
    this.cache.set(course, prepared);
    return prepared;
  }
}
