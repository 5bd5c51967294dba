import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/domain/backoff';

const policy = { baseMs: 100, capMs: 10_000 };

describe('backoffMs (full jitter)', () => {
  it('spreads attempt n over [0, base * 2^(n-1)), capped', () => {
    expect(backoffMs(1, policy, () => 0.999)).toBe(99);
    expect(backoffMs(4, policy, () => 0.5)).toBe(400);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
    expect(backoffMs(20, policy, () => 0.999)).toBe(9_990);
  });

  it('treats attempt 0 or below as the first retry', () => {
    expect(backoffMs(0, policy, () => 0.5)).toBe(50);
    expect(backoffMs(-3, policy, () => 0.5)).toBe(50);
  });

  it('stays finite for any attempt count, even with a zero base', () => {
    expect(backoffMs(5_000, policy, () => 0.5)).toBe(5_000);
    expect(backoffMs(5_000, { baseMs: 0, capMs: 1_000 }, () => 0.5)).toBe(0);
  });

  it('is a whole number in [0, min(cap, base * 2^(n-1))) for every attempt and random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, capMs, r) => {
          const wait = backoffMs(attempt, { baseMs, capMs }, () => r);
          const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
          expect(Number.isInteger(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThan(ceiling);
        },
      ),
    );
  });

  it('never shrinks the ceiling as attempts grow', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), (attempt) => {
        const top = () => 1 - Number.EPSILON;
        expect(backoffMs(attempt + 1, policy, top)).toBeGreaterThanOrEqual(backoffMs(attempt, policy, top));
      }),
    );
  });
});
