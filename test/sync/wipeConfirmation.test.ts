import { describe, expect, it } from 'vitest';
import { CONFIRM_DELAY_MS, confirmWipe } from '../../src/sync/wipeConfirmation';

describe('confirmWipe', () => {
  const first = new Date('2026-09-01T10:00:00Z');
  const at = (minutes: number) => new Date(first.getTime() + minutes * 60_000);

  it('waits on the first sighting and until 15 minutes have passed', () => {
    expect(confirmWipe({ firstSeenAt: first, now: first, delayMs: CONFIRM_DELAY_MS, immediate: false })).toEqual({
      act: false,
      confirmAt: at(15),
    });
    expect(confirmWipe({ firstSeenAt: first, now: at(14.9), delayMs: CONFIRM_DELAY_MS, immediate: false }).act).toBe(
      false,
    );
  });

  it('acts on a sighting at least 15 minutes after the first', () => {
    expect(confirmWipe({ firstSeenAt: first, now: at(15), delayMs: CONFIRM_DELAY_MS, immediate: false })).toEqual({
      act: true,
    });
  });

  it('acts at once in a forced rebuild', () => {
    expect(confirmWipe({ firstSeenAt: first, now: first, delayMs: CONFIRM_DELAY_MS, immediate: true }).act).toBe(true);
  });
});
