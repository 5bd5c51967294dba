import type { WeeklyRecurrence } from '../desired/series';
import { fromGraphDateTime } from '../desired/time';
import type { DesiredEvent } from '../domain/types';
import { NEAR_TERM_DAYS, PRIORITY, priorityClass } from '../jobs/types';
import type { Op, SeriesWork } from './personJob';

/**
 * Near-term first (service.md "Order of work"), pure. A person's writes go to Graph ordered by the
 * start of their event, the nearest first (deletes, whose event's time the state store does not keep,
 * lead as before). A job of a fill, a reconcile or a change may also split: it writes now what touches
 * the next 14 days and leaves the rest to a job queued after it, so every person of a fill has their
 * next 14 days before anyone gets their later weeks.
 *
 * Only creates of events kada has no record of are ever left for later: deletes, updates and a
 * replaced series (delete + create of one key) are written now, and the diff is always made with the
 * whole desired set, so a first pass never makes later weeks look deleted (the deletion guard and
 * the wipe-out confirmation see exactly what they would without it). A series master covers its
 * weeks at once: it is near when any of them is, and its exceptions go with it.
 */

export interface WriteOrder {
  now: Date;
  /** Leave creates of later weeks to another job (not for operator rebuilds or that job itself). */
  split: boolean;
  /** The priority of the job being planned. */
  priority: number;
}

export interface Deferred {
  /** Creates left for the next job. */
  creates: number;
  /** Its priority: always the later weeks of a fill (PRIORITY.fillRest), whose job does not split again. */
  priority: number;
}

const DAY = 86_400_000;

/** The span an event (or a whole series) covers, in ms; null when it has none (deletes). */
export function spanOf(d: DesiredEvent | undefined): { start: number; end: number } | null {
  if (!d) return null;
  const start = fromGraphDateTime(d.content.start).toMillis();
  const range = (d.content.recurrence as WeeklyRecurrence | undefined)?.range;
  const end = range ? Date.parse(`${range.endDate}T00:00:00Z`) + 2 * DAY : fromGraphDateTime(d.content.end).toMillis();
  return Number.isFinite(start) ? { start, end: Number.isFinite(end) ? end : start } : null;
}

export function isNearTerm(d: DesiredEvent | undefined, now: Date): boolean {
  const span = spanOf(d);
  if (!span) return true;
  const from = now.getTime();
  return span.start < from + NEAR_TERM_DAYS * DAY && span.end >= from;
}

/** Deletes first, then upcoming events by start, then events already over (most recent first). */
export function byNearness(ops: readonly Op[], now: Date): Op[] {
  const from = now.getTime();
  const rank = (op: Op): [number, number] => {
    const span = op.kind === 'delete' ? null : spanOf(op.desired);
    if (!span) return [0, 0];
    return span.end >= from ? [1, span.start] : [2, -span.start];
  };
  return ops
    .map((op, i) => ({ op, i, r: rank(op) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .map((x) => x.op);
}

/**
 * The ops to write now, in order, and what is left for later. `recorded`: keys the state store has in
 * this mailbox; `desired`: every event the person should have.
 */
export function nearTermFirst(
  ops: readonly Op[],
  series: SeriesWork,
  ctx: { desired: readonly DesiredEvent[]; recorded: ReadonlySet<string>; order: WriteOrder },
): { ops: Op[]; series: SeriesWork; deferred: Deferred | null } {
  const { now } = ctx.order;
  const ordered = byNearness(ops, now);
  // The job that writes the later weeks never leaves them again: each split is followed by one job that
  // writes the rest (a split job at the split class looped forever under Graph fault storms).
  const split = ctx.order.split && priorityClass(ctx.order.priority) !== 'fillRest';
  if (!split) return { ops: ordered, series, deferred: null };
  // Later weeks kada wrote before: the person is in step and this is a change to them, written now in full
  // (nearest first); only the rest of a fill waits.
  if (ctx.desired.some((d) => ctx.recorded.has(d.key) && !isNearTerm(d, now))) {
    return { ops: ordered, series, deferred: null };
  }
  const later = (op: Op) => op.kind === 'create' && !ctx.recorded.has(op.key) && !isNearTerm(op.desired, now);
  const left = new Set(ordered.filter(later).map((op) => op.key));
  if (left.size === 0) return { ops: ordered, series, deferred: null };
  return {
    ops: ordered.filter((op) => !(op.kind === 'create' && left.has(op.key))),
    series: { ...series, exceptions: series.exceptions.filter((e) => !left.has(e.masterKey)) },
    deferred: { creates: left.size, priority: PRIORITY.fillRest },
  };
}
