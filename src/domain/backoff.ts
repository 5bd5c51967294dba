/**
 * The one backoff kada uses wherever it waits before trying again (Graph, TP/FS, the broker, the
 * database, jobs, course notifications). Pure: the random source is passed in, so tests pick it.
 */
export interface Backoff {
  /** The ceiling of the first retry's wait. */
  baseMs: number;
  /** No wait is ever longer than this. */
  capMs: number;
}

/** Past this the ceiling is the cap anyway; it keeps `base * 2^n` finite for any attempt count. */
const MAX_DOUBLINGS = 52;

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): uniform in
 * [0, min(cap, base * 2^(attempt - 1))), attempt 1 being the first retry. Spreading waits over the
 * whole range keeps many clients that failed together from retrying together.
 */
export function backoffMs(attempt: number, policy: Backoff, random: () => number): number {
  const doublings = Math.min(MAX_DOUBLINGS, Math.max(0, Math.floor(attempt) - 1));
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** doublings);
  return Math.floor(ceiling * random());
}
