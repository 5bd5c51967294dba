import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/domain/retryAfter';

const now = Date.UTC(2025, 0, 10, 12, 0, 0);

describe('retryAfterMs', () => {
  it('reads delta-seconds, fractions included', () => {
    expect(retryAfterMs('7', now)).toBe(7_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('1.5', now)).toBe(1_500);
  });

  it('reads an HTTP date as the time left until it, never below zero', () => {
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs('Fri, 10 Jan 2025 12:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(retryAfterMs(new Date(60_000).toUTCString(), 30_000)).toBe(30_000);
  });

  it('answers null for absent, empty or unparsable values', () => {
    for (const v of [null, undefined, '', '   ', 'soon', '-5', '+3', '1e3', '0x10', 'Someday'])
      expect(retryAfterMs(v, now)).toBeNull();
  });

  it('gives every whole number of seconds back in milliseconds', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), (s) => {
        expect(retryAfterMs(String(s), now)).toBe(s * 1000);
      }),
    );
  });

  it('never answers a negative wait for any string', () => {
    fc.assert(
      fc.property(fc.string(), (v) => {
        const ms = retryAfterMs(v, now);
        expect(ms === null || ms >= 0).toBe(true);
      }),
    );
  });
});
