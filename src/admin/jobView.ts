import type { Job } from '../jobs/types';

/** A job as the admin API and `kada status` show it (no lease or worker internals). */
export interface JobView {
  jobId: string;
  personId: string;
  state: Job['state'];
  progress: { done: number; total: number } | null;
  result: unknown;
  lastError: string | null;
  priority: number;
  force: boolean;
  reasons: string[];
  attempts: number;
  maxAttempts: number;
  /** Set when this job's work was merged into a newer job; state and progress are that job's. */
  supersededBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export function jobView(job: Job): JobView {
  return {
    jobId: job.id,
    personId: job.personId,
    state: job.state,
    progress: job.progress,
    result: job.result ?? null,
    lastError: job.lastError,
    priority: job.priority,
    force: job.force,
    reasons: job.reasons,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    supersededBy: job.supersededBy,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}
