/**
 * Whether kada may act on a wipe-out (a person gone from FS, a course whose timetable went from events
 * to none): only when the source said so twice at least the confirmation delay apart (fs.md, tp.md), or
 * at once in a forced rebuild. A gateway fault that slips through as an answer then costs nothing. Pure.
 */
export type WipeDecision = { act: true } | { act: false; confirmAt: Date };

export function confirmWipe(p: { firstSeenAt: Date; now: Date; delayMs: number; immediate: boolean }): WipeDecision {
  if (p.immediate) return { act: true };
  const confirmAt = new Date(p.firstSeenAt.getTime() + p.delayMs);
  return p.now.getTime() >= confirmAt.getTime() ? { act: true } : { act: false, confirmAt };
}

/** The contract's rule: two sightings at least 15 minutes apart. */
export const CONFIRM_DELAY_MS = 15 * 60_000;
