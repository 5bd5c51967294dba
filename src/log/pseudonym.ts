import { createHash, createHmac } from 'node:crypto';

/**
 * The keyed hash that stands for a person (or a mailbox) in log lines at info and above: the same
 * person gives the same pseudonym in every line and every process of one installation, so lines
 * can still be correlated, but the lines name no one. `kada pseudonym <value>` prints it.
 *
 * The key is KADA_LOG_KEY when set. Without it, a key is derived from the installation's
 * identifiers (institution, tenant, client id): stable and secret-free, so pseudonyms survive
 * restarts, but someone who knows those identifiers and reads the logs could test guessed person
 * numbers. Set KADA_LOG_KEY (a random secret) where logs leave the operators' hands.
 */
export function logKeyFrom(env: Record<string, string | undefined>): string {
  if (env.KADA_LOG_KEY) return env.KADA_LOG_KEY;
  const ids = [env.KADA_INSTITUTION, env.AZURE_TENANT_ID, env.AZURE_CLIENT_ID].map((v) => v ?? '');
  return createHash('sha256')
    .update(`kada log pseudonyms\0${ids.join('\0')}`)
    .digest('hex');
}

/** `p:` and 16 hex digits (64 bits: no collisions among an institution's persons in practice). */
export function pseudonym(key: string, value: string): string {
  return `p:${createHmac('sha256', key).update(value.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
}

export function isPseudonym(value: unknown): boolean {
  return typeof value === 'string' && /^p:[0-9a-f]{16}$/.test(value);
}
