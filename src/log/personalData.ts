import { isPseudonym, pseudonym } from './pseudonym';

/**
 * Keeps personal data out of log lines at info and above, whatever the calling code logged: one
 * place, so every stage's `child({ personId })` and `{ mailbox }` stay correct without edits.
 * At info, warn, error and fatal:
 * - `personId` (and `person_id`, `person`, `personIds`) becomes `person: p:<keyed hash>`;
 * - `mailbox`, `email`, `epost`, `username`, `upn` keep their key but hold the keyed hash;
 * - names (`name` below the top level, `displayName`, `navn`, ...) are dropped;
 * - those values, and any e-mail address, are replaced wherever else they occur in the line's text
 *   (a message, an error), so `failed for 56154` cannot slip through.
 * At debug and trace lines are left as logged, with `person` added beside `personId` so they can be
 * matched with the info lines. Pure: a line in, a line out.
 */

const INFO_AND_ABOVE = new Set(['info', 'warn', 'error', 'fatal', 30, 40, 50, 60]);
const PERSON_KEYS = new Set(['personId', 'person_id', 'personid', 'person', 'personIds', 'person_ids']);
const ADDRESS_KEYS = new Set(['mailbox', 'email', 'epost', 'username', 'brukernavn', 'upn', 'userPrincipalName']);
const NAME_KEYS = new Set(['name', 'displayName', 'navn', 'fornavn', 'etternavn', 'givenName', 'surname']);
// A line can only need work if it has one of those fields, an `@`, or a second `name` (a logged one).
const FIELDS = [...PERSON_KEYS, ...ADDRESS_KEYS, ...NAME_KEYS].filter((k) => k !== 'name');
const RELEVANT = new RegExp(`"(${FIELDS.join('|')})":|@|"name":[\\s\\S]*"name":`);
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function pseudonymiseLine(line: string, key: string, loggerName = 'kada'): string {
  if (!RELEVANT.test(line)) return line;
  let entry: { [k: string]: Json };
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return line;
  const hash = (v: Json) => (isPseudonym(v) ? (v as string) : pseudonym(key, String(v)));
  if (!INFO_AND_ABOVE.has(entry.level as string)) {
    if (entry.personId === undefined || entry.person !== undefined) return line;
    return `${JSON.stringify({ ...entry, person: hash(entry.personId) })}\n`;
  }
  const found = new Map<string, string>(); // raw value -> what stands for it in text
  const walk = (node: Json, top: boolean): Json => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (!node || typeof node !== 'object') return node;
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(node)) {
      if (PERSON_KEYS.has(k) && v !== null) {
        const values = Array.isArray(v) ? v : [v];
        for (const raw of values) if (!isPseudonym(raw)) found.set(String(raw), hash(raw));
        out[k === 'personIds' || k === 'person_ids' ? 'persons' : 'person'] = Array.isArray(v) ? v.map(hash) : hash(v);
      } else if (ADDRESS_KEYS.has(k) && typeof v === 'string') {
        if (!isPseudonym(v)) found.set(v, hash(v));
        out[k] = hash(v);
      } else if (NAME_KEYS.has(k)) {
        // The top-level `name` is the logger's; a logged `name` would have overwritten it.
        if (top && k === 'name') out[k] = loggerName;
        if (typeof v === 'string' && !(top && v === loggerName)) found.set(v, '[name]');
      } else {
        out[k] = walk(v, false);
      }
    }
    return out;
  };
  const cleaned = walk(entry, true);
  return `${JSON.stringify(scrubText(cleaned, found, key))}\n`;
}

/** Replaces the personal values found in the line's fields, and any e-mail address, in every string. */
function scrubText(node: Json, found: Map<string, string>, key: string): Json {
  if (typeof node === 'string') {
    let s = node;
    for (const [raw, stand] of found) {
      if (raw.length < 3 || isPseudonym(raw)) continue;
      const escaped = raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // A person number inside a longer number (a count, a timestamp) is not that person.
      const pattern = /^\d+$/.test(raw) ? `(?<!\\d)${escaped}(?!\\d)` : escaped;
      s = s.replace(new RegExp(pattern, 'gi'), stand);
    }
    return s.replace(EMAIL, (m) => pseudonym(key, m));
  }
  if (Array.isArray(node)) return node.map((n) => scrubText(n, found, key));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, scrubText(v, found, key)]));
  }
  return node;
}
