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

/** Priorities: admin-forced rebuilds jump the queue; notification-driven work comes before bulk reconcile. */
export const PRIORITY = { reconcile: -10, notification: 0, forced: 100 } as const;

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
