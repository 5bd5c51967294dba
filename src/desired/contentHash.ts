import { createHash } from 'node:crypto';
import type { EventContent } from '../domain/types';

const quotedKeys = new Map<string, string>();
const quoted = (k: string) => {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 1000) quotedKeys.set(k, q);
  }
  return q;
};

/** JSON with object keys sorted at every level, so equal content has one spelling. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function') continue;
    out += `${(out.length > 1 ? ',' : '') + quoted(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * The HASH marker and state-store hash: first 32 hex chars of sha256 over the canonical JSON.
 * Comparing it with what was written last decides whether an event needs an update.
 */
export function contentHash(content: EventContent): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32);
}
