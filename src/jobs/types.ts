import type { Row } from '../store/queryable';
/** The per-person job queue's public types (graphile-worker style: jobs live in Postgres). */
export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface Job {
  id: string;
  personId: string;
  state: JobState;
  priority: number;
  force: boolean;
  reasons: string[];
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedBy: string | null;
  lockedUntil: Date | null;
  progress: { done: number; total: number } | null;
  result: unknown;
  lastError: string | null;
  supersededBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * The order of work (service.md): operator rebuilds; changes for persons in step that touch the next 14
 * days; other changes; first syncs (fills) and reconcile; last, the later weeks of a fill. A coalesced job
 * keeps its most urgent reason's priority. Classes are 100 points apart and a job gains one point per hour
 * queued (AGING_SECONDS_PER_POINT, db/migrations/0014), so bulk work is never starved: after about four
 * days it goes ahead of a fresh change, while a fill of a whole university (hours to days) stays behind
 * every change that comes during it.
 */
export const PRIORITY = {
  fillRest: 100,
  reconcile: 200,
  fill: 200,
  notification: 300,
  nearChange: 400,
  forced: 1000,
} as const;

/** What counts as near-term work: events in the next 14 days. */
export const NEAR_TERM_DAYS = 14;

/** Seconds of waiting worth one point of priority (the jobs_track_rank_at trigger). */
export const AGING_SECONDS_PER_POINT = 3600;

export type PriorityClass = 'rebuild' | 'nearChange' | 'change' | 'fill' | 'fillRest';

/** The class a stored priority belongs to (status reports). */
export function priorityClass(priority: number): PriorityClass {
  if (priority >= PRIORITY.forced) return 'rebuild';
  if (priority >= PRIORITY.nearChange) return 'nearChange';
  if (priority >= PRIORITY.notification) return 'change';
  if (priority >= PRIORITY.fill) return 'fill';
  return 'fillRest';
}

export const JOB_COLUMNS = `id, person_id, state, priority, force, reasons, attempts, max_attempts, run_at, locked_by,
  locked_until, progress, result, last_error, superseded_by, created_at, started_at, finished_at`;

export function jobFromRow(r: Row): Job {
  return {
    id: String(r.id),
    personId: r.person_id,
    state: r.state,
    priority: r.priority,
    force: r.force,
    reasons: r.reasons ?? [],
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    lockedBy: r.locked_by,
    lockedUntil: r.locked_until,
    progress: r.progress,
    result: r.result,
    lastError: r.last_error,
    supersededBy: r.superseded_by === null || r.superseded_by === undefined ? null : String(r.superseded_by),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export const JOBS_CHANNEL = 'kada_jobs';
