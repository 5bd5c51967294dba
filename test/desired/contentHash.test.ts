import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, contentHash } from '../../src/desired/contentHash';
import { eventContent } from '../../src/desired/eventContent';
import type { EventContent } from '../../src/domain/types';
import { cancelledGroup, lecture, settings } from './tpExample';

/** The same value with object keys in reverse insertion order, at every level. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

describe('contentHash', () => {
  const content = eventContent(lecture(), 'IN1000 navn', settings());

  it('is 32 lower-case hex characters', () => {
    expect(contentHash(content)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('does not depend on key order', () => {
    expect(contentHash(reversedKeys(content) as EventContent)).toBe(contentHash(content));
  });

  it('does not depend on key order for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(reversedKeys(v))).toBe(canonicalJson(v));
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('ignores absent optional fields, as Graph would', () => {
    expect(contentHash({ ...content, recurrence: undefined })).toBe(contentHash(content));
  });

  it('changes when anything a person sees changes', () => {
    const other = eventContent(cancelledGroup(), 'IN1000 navn', settings());
    expect(contentHash(other)).not.toBe(contentHash(content));
    expect(contentHash({ ...content, subject: `${content.subject}!` })).not.toBe(contentHash(content));
    expect(contentHash({ ...content, locations: [] })).not.toBe(contentHash(content));
    expect(contentHash(eventContent(lecture(), 'IN1000 navn', settings('en')))).not.toBe(contentHash(content));
  });
});
