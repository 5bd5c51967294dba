/** Answers in a row without a 429 before a given-up slot is taken back. */
const CALM_STREAK = 20;

/**
 * How many of its slots the GraphWriter may use now. A 429 pauses every slot for its wait and gives
 * one slot up; the slot comes back once things have been calm for a while.
 */
export class SlotGovernor {
  private slots: number;
  private paused = 0;
  private okStreak = 0;

  constructor(private readonly concurrency: number) {
    this.slots = concurrency;
  }

  get effective(): number {
    return this.slots;
  }

  /** Nothing may start before this time (ms since the epoch). */
  get pausedUntil(): number {
    return this.paused;
  }

  throttled(waitMs: number, now: number): void {
    this.paused = Math.max(this.paused, now + waitMs);
    this.slots = Math.max(1, this.slots - 1);
    this.okStreak = 0;
  }

  ok(): void {
    if (this.slots >= this.concurrency) return;
    if (++this.okStreak >= CALM_STREAK) {
      this.slots++;
      this.okStreak = 0;
    }
  }
}
