/**
 * A `Retry-After` header as milliseconds to wait. RFC 9110 allows delta-seconds or an HTTP date;
 * Graph sends seconds. Absent, empty or unparsable is null everywhere: "not given, use the backoff".
 * Pure: `now` (ms since the epoch) is passed in, to turn a date into a wait.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | null {
  const v = value?.trim();
  if (!v) return null;
  // Fractions are not in the RFC, but some servers send them; they mean what they say.
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // All three HTTP date forms start with the day's name; without it Date.parse takes "-5" for a year.
  if (!/^[A-Za-z]{3}/.test(v)) return null;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
