import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/admin/auth';

/**
 * The admin token check (src/admin/auth.ts) by its behaviour: exactly the configured token, as a
 * bearer token, and nothing else. That it compares in constant time is a property of how it is
 * written (both sides hashed to 32 bytes, timingSafeEqual); here: that it never throws or leaks
 * a length difference as an exception, whatever is presented.
 */

const TOKEN = 'Adm1n-token-for-the-security-suite';

describe('bearerMatches', () => {
  it('accepts exactly the token, with the scheme in any case and trailing blanks', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`BEARER  ${TOKEN}  `, TOKEN)).toBe(true);
    expect(bearerMatches([`Bearer ${TOKEN}`, 'Bearer other'], TOKEN)).toBe(true);
  });

  it('refuses everything else: other tokens, prefixes, extensions, case changes, other schemes, no header', () => {
    const refused: (string | string[] | undefined)[] = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      TOKEN,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Bearer x${TOKEN}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer ${TOKEN.toLowerCase()}`,
      `Bearer ${TOKEN} ${TOKEN}`,
      `Bearer\t${TOKEN}`,
      `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
      `Token ${TOKEN}`,
      `Bearer ${encodeURIComponent(TOKEN)}%00`,
      ['Bearer other', `Bearer ${TOKEN}`],
      [],
    ];
    for (const header of refused) expect(bearerMatches(header, TOKEN), JSON.stringify(header)).toBe(false);
  });

  it('an empty configured token matches nothing, not even an empty bearer', () => {
    expect(bearerMatches('Bearer ', '')).toBe(false);
    expect(bearerMatches(undefined, '')).toBe(false);
    expect(bearerMatches('Bearer x', '')).toBe(false);
  });

  it('for any presented value of any length: true only for the token itself, and never an exception', () => {
    const token = fc.string({ minLength: 1, maxLength: 80 }).filter((t) => !/\s/.test(t));
    fc.assert(
      fc.property(
        token.chain((t) =>
          fc.tuple(
            fc.constant(t),
            fc.oneof(
              fc.constant(t),
              fc.string({ maxLength: 300 }),
              fc.string().map((x) => t + x),
              fc.string().map((x) => x + t),
            ),
          ),
        ),
        ([t, presented]) => {
          fc.pre(presented === presented.trim());
          expect(bearerMatches(`Bearer ${presented}`, t)).toBe(presented === t);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
