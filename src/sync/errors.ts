import { tokenFailure } from '../graph/auth';
import { SourceError } from '../sources/http';

/** A sync failure with a stable code; `transient` ones make the job retry with backoff. */
export class SyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
    readonly personId?: string,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/**
 * Whether a failed job or notification may pass if tried again: source outages, Graph throttling and
 * token endpoint outages pass; bad credentials and bad data do not. Here, beside the sync errors, so
 * the planner, the job handler and reconcile share it without depending on each other.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof SyncError) return err.transient;
  const token = tokenFailure(err);
  if (token) return token.transient;
  if (err instanceof SourceError) return err.code !== 'SOURCE_UNAUTHORIZED';
  const code = (err as { code?: string }).code;
  // Postgres connection loss and network errors: the database or network will be back.
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === '57P01' ||
    code === '08006' ||
    code === '08001'
  );
}
