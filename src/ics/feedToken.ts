import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Feed tokens (rooms-ics.md: >= 128 random bits, stored only as a hash, and `create` prints the same
 * URL while the feed is active). The database keeps a random 256-bit nonce and the SHA-256 of the
 * token; the token itself is HMAC-SHA256(KADA_ICS_KEY, nonce), base64url. So:
 * - serving needs only the hash (one indexed look-up, no key);
 * - `create` derives the same token again from the nonce, and checks it against the stored hash;
 * - the database alone (a backup, a read-only role) does not give anyone a working feed URL.
 * Encrypting the token instead would need the same key and more code (IV, tag) for the same result.
 * Without KADA_ICS_KEY the key is derived from the log pseudonym key (KADA_LOG_KEY, or the
 * installation's identifiers): stable across restarts, but secret only when KADA_LOG_KEY is set.
 * A changed key leaves every feed working; only printing an old URL again becomes impossible.
 */

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function icsTokenKey(configured: string | undefined, logKey: string): string {
  if (configured) return configured;
  return createHmac('sha256', logKey).update('kada ics feed tokens').digest('hex');
}

export const newNonce = () => randomBytes(32);

export const tokenOf = (key: string, nonce: Buffer) => createHmac('sha256', key).update(nonce).digest('base64url');

/** What the database stores and looks a presented token up by. Any text hashes; nothing is parsed first. */
export const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export function tokenMatches(token: string, hash: Buffer): boolean {
  const h = tokenHash(token);
  return h.length === hash.length && timingSafeEqual(h, hash);
}
