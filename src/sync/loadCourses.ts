import { prepareCourse, settingsKey, type PreparedCourse } from '../desired/prepareCourse';
import type { ContentSettings, CourseRef, TpCourse } from '../domain/types';
import { courseKey } from '../domain/types';
import { cachedCourseFetchedAt, getCachedCourse, putCachedCourse } from '../store/courses';
import { recordError } from '../store/errors';
import type { Queryable } from '../store/queryable';
import type { TpSource } from '../domain/ports';
import { personsWithCourse } from '../store/syncedEvents';
import { clearSighting, listSightings } from '../store/wipeSightings';
import { type ConfirmOptions, sightWipe } from './sightWipe';
import { CONFIRM_DELAY_MS } from './wipeConfirmation';

/**
 * Course timetables for a sync: the stored copy when it is recent enough (the planner refreshes it
 * on every TP notification), TP otherwise. A fresh read records the course's data errors once.
 */
export async function loadCourses(
  db: Queryable,
  tp: TpSource,
  refs: CourseRef[],
  opts: {
    maxAgeMs: number;
    /** Overrides maxAgeMs: a stored copy read since this moment (epoch ms) is fresh. */
    freshSince?: number;
    settings: ContentSettings;
    now?: number;
    confirm?: ConfirmOptions;
  },
): Promise<PreparedCourse[]> {
  const now = opts.now ?? Date.now();
  const freshFrom = opts.freshSince ?? now - opts.maxAgeMs;
  const out: PreparedCourse[] = [];
  // A course whose emptying waits for a second sighting is read again once that sighting can confirm it.
  const confirm = opts.confirm ?? DEFAULT_CONFIRM;
  const pending = await listSightings(db, 'course');
  const due = new Set(pending.filter((s) => now - s.firstSeenAt.getTime() >= confirm.delayMs).map((s) => s.subject));
  for (const ref of refs) {
    const fetchedAt = await cachedCourseFetchedAt(db, ref);
    if (fetchedAt && fetchedAt.getTime() >= freshFrom && !due.has(courseKey(ref))) {
      const hit = prepared.get(ref, fetchedAt, opts.settings);
      if (hit) {
        out.push(hit);
        continue;
      }
      const cached = await getCachedCourse(db, ref);
      if (cached) {
        out.push(prepared.put(cached.course, cached.fetchedAt, opts.settings));
        continue;
      }
    }
    // Reads in flight are timed by this process's clock, not by `now` (which a caller may set).
    const course = await sharedRefresh(db, tp, ref, confirm, opts.freshSince ?? Date.now() - opts.maxAgeMs);
    out.push(prepareCourse(course, opts.settings));
  }
  return out;
}

type Fetching = Map<string, { startedAt: number; course: Promise<TpCourse> }>;
const fetching = new WeakMap<Queryable, Fetching>();

/**
 * A course several jobs of this process need at once is read from TP once: a job joins a read in flight
 * when that read started recently enough for it (a walk of 16 persons at a time otherwise asked TP for the
 * same course 16 times). A job that wants TP as of now (maxAgeMs 0) never joins an older read.
 */
function sharedRefresh(
  db: Queryable,
  tp: TpSource,
  ref: CourseRef,
  confirm: ConfirmOptions,
  notBefore: number,
): Promise<TpCourse> {
  const mine = fetching.get(db) ?? new Map();
  fetching.set(db, mine);
  const key = courseKey(ref);
  const running = mine.get(key);
  if (running && running.startedAt >= notBefore) return running.course;
  const entry = { startedAt: Date.now(), course: refreshCourse(db, tp, ref, confirm) };
  mine.set(key, entry);
  const forget = () => mine.get(key) === entry && mine.delete(key);
  entry.course.then(forget, forget);
  return entry.course;
}

/**
 * Prepared (content + hash per event) copies of recently used stored courses, so the 1,000 jobs of
 * one course change neither parse the stored JSON nor compute the same content 1,000 times. Keyed by
 * the stored copy's fetch time: a newer copy replaces it. Bounded by events, not courses.
 */
class PreparedCourseCache {
  private entries = new Map<string, { fetchedAt: number; course: PreparedCourse; size: number }>();
  private total = 0;
  constructor(private readonly maxEvents: number) {}

  get(ref: CourseRef, fetchedAt: Date, settings: ContentSettings): PreparedCourse | null {
    const k = `${courseKey(ref)}|${settingsKey(settings)}`;
    const e = this.entries.get(k);
    if (!e || e.fetchedAt !== fetchedAt.getTime()) return null;
    this.entries.delete(k); // re-insert: Map order is the LRU order
    this.entries.set(k, e);
    return e.course;
  }

  put(course: TpCourse, fetchedAt: Date, settings: ContentSettings): PreparedCourse {
    const p = prepareCourse(course, settings);
    const k = `${courseKey(course.course)}|${settingsKey(settings)}`;
    const old = this.entries.get(k);
    if (old) this.total -= old.size;
    this.entries.delete(k);
    const size = Math.max(1, course.events.length);
    this.entries.set(k, { fetchedAt: fetchedAt.getTime(), course: p, size });
    this.total += size;
    for (const [key, e] of this.entries) {
      if (this.total <= this.maxEvents) break;
      this.entries.delete(key);
      this.total -= e.size;
    }
    return p;
  }
}

const prepared = new PreparedCourseCache(Number(process.env.KADA_COURSE_CACHE_EVENTS ?? 20_000));

const DEFAULT_CONFIRM: ConfirmOptions = { immediate: false, delayMs: CONFIRM_DELAY_MS };

/**
 * Reads a course from TP and stores it. A course that had events and now has none is emptied only when
 * TP says so twice far enough apart (tp.md): until then the stored copy stays and is returned.
 */
export async function refreshCourse(
  db: Queryable,
  tp: TpSource,
  ref: CourseRef,
  confirm: ConfirmOptions = DEFAULT_CONFIRM,
): Promise<TpCourse> {
  const course = await tp.getCourse(ref);
  if (course.events.length === 0) {
    const before = await getCachedCourse(db, ref);
    if (before && before.course.events.length > 0) {
      const holders = await personsWithCourse(db, ref);
      const decision = await sightWipe(db, 'course', courseKey(ref), { ...confirm, recheck: holders });
      if (!decision.act) {
        // Stored again so it counts as recent: the persons' jobs use it until the second sighting.
        await putCachedCourse(db, before.course);
        return before.course;
      }
    }
  } else await clearSighting(db, 'course', courseKey(ref));
  await putCachedCourse(db, course);
  for (const r of course.rejected) {
    await recordError(db, {
      kind: 'data',
      code: 'TP_EVENT_INVALID',
      message: `TP event ${r.eventid ?? '(no eventid)'} of ${courseKey(ref)} skipped: ${r.reason}`,
      course: courseKey(ref),
      details: { eventid: r.eventid },
    });
  }
  return course;
}
