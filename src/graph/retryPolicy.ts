import type { Backoff } from '../domain/backoff';

/**
 * How the Graph writer treats an answer. 429/503/504 with Retry-After: wait exactly that;
 * otherwise the shared backoff (domain/backoff.ts) with Graph's own base and cap.
 */
export const DEFAULT_BACKOFF: Backoff = { baseMs: 500, capMs: 30_000 };

export type Outcome = 'ok' | 'throttled' | 'transient' | 'dependency' | 'gone' | 'permanent';

/** Classifies one (sub-)response status into what the writer should do with it. */
export function classify(status: number, method: string): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'throttled';
  if (status === 424) return 'dependency';
  if (status === 404 || status === 410) return method === 'DELETE' ? 'ok' : 'gone';
  if (status === 408 || status === 409 || status >= 500 || status === 0) return 'transient';
  return 'permanent';
}
