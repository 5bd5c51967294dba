import { prepareCourse, settingsKey, type PreparedCourse } from '../desired/prepareCourse';
import type { ContentSettings, CourseRef, TpCourse } from '../domain/types';
import { courseKey } from '../domain/types';
import { cachedCourseFetchedAt, getCachedCourse, putCachedCourse } from '../store/courses';
import { recordError } from '../store/errors';
import type { Queryable } from '../store/queryable';
import type { TpSource } from '../domain/ports';

/**
 * Course timetables for a sync: the stored copy when it is recent enough (the planner refreshes it
 * on every TP notification), TP otherwise. A fresh read records the course's data errors once.
 */
export async function loadCourses(
  db: Queryable,
  tp: TpSource,
  refs: CourseRef[],
  opts: { maxAgeMs: number; settings: ContentSettings; now?: number },
): Promise<PreparedCourse[]> {
  const now = opts.now ?? Date.now();
  const out: PreparedCourse[] = [];
  for (const ref of refs) {
    const fetchedAt = await cachedCourseFetchedAt(db, ref);
    if (fetchedAt && now - fetchedAt.getTime() <= opts.maxAgeMs) {
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
    out.push(prepareCourse(await refreshCourse(db, tp, ref), opts.settings));
  }
  return out;
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

export async function refreshCourse(db: Queryable, tp: TpSource, ref: CourseRef): Promise<TpCourse> {
  const course = await tp.getCourse(ref);
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
