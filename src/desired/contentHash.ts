import { createHash } from 'node:crypto';
import type { EventContent } from '../domain/types';

/** JSON with object keys sorted at every level, so equal content has one spelling. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const fields = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${fields.join(',')}}`;
}

/**
 * The HASH marker and state-store hash: first 32 hex chars of sha256 over the canonical JSON.
 * Comparing it with what was written last decides whether an event needs an update.
 */
export function contentHash(content: EventContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32);
}
