import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer-token checks for the admin API and /metrics. Both sides are hashed first so the
 * comparison always runs over 32 bytes: neither the token's length nor its prefix leaks through
 * response timing.
 */
export function bearerMatches(authorization: string | string[] | undefined, expected: string): boolean {
  const presented = bearerToken(authorization);
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  // The digest comparison alone would accept nothing wrong, but keep an empty token from ever matching.
  return timingSafeEqual(a, b) && presented.length > 0;
}

/** The token of an `Authorization: Bearer <token>` header, or '' for anything else. */
export function bearerToken(authorization: string | string[] | undefined): string {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  return /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';
}

/** Compares two secrets (e.g. a CSRF token) in constant time, hashing first so lengths do not leak. */
export function secretsEqual(presented: string | string[] | undefined, expected: string): boolean {
  const value = typeof presented === 'string' ? presented : '';
  const a = createHash('sha256').update(value, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && value.length > 0;
}
