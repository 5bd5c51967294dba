import { type Backoff, backoffMs } from '../domain/backoff';

/** A transiently failed job (or course notification) waits from 2 s, doubling, up to 5 min. */
export const JOB_RETRY: Backoff = { baseMs: 2_000, capMs: 300_000 };

/** The wait before attempt `attempt + 1`, `attempt` being the attempts made so far (1 = the first). */
export function jobRetryDelay(attempt: number): number {
  return backoffMs(attempt, JOB_RETRY, Math.random);
}
