/**
 * How kada waits before retrying a Graph request. Pure: the random source is passed in.
 * 429/503/504 with Retry-After: wait exactly that; otherwise exponential backoff with full jitter.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)]. */
export function backoffMs(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * random());
}

/** Retry-After is seconds (Graph) or an HTTP date; anything else means "not given". */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined || value === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

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
