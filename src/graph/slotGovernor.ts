/** Answers in a row without a 429 before a given-up slot is taken back. */
export const CALM_STREAK = 20;

/** Outlook's concurrent requests per mailbox under the per-mailbox reading (GRAPH_CONCURRENCY_SCOPE=mailbox). */
export const MAILBOX_LIMIT = 4;

export type GraphScope = 'app' | 'mailbox';

/**
 * Where the GraphWriter's request slots come from: this process alone (SlotGovernor) or the
 * installation's budget shared through PostgreSQL (SharedBudget). A lane is '' for the whole app and,
 * in mailbox scope, a mailbox address.
 */
export interface SlotBudget {
  readonly scope: GraphScope;
  /** Slots for the whole app now (fewer than configured after a 429). */
  readonly effective: number;
  /** Nothing may start before this time (ms since the epoch). */
  readonly pausedUntil: number;
  /**
   * How many more requests may start now in `lane`, with `inFlight` there and `want` more waiting.
   * A shared budget may ask for more in the background and call the listener when they come.
   */
  room(lane: string, inFlight: number, want: number, now: number): number;
  throttled(waitMs: number, now: number): void;
  ok(): void;
  /** The writer using the budget: woken when slots come, asked what it has in flight per lane. */
  attach(user: BudgetUser): void;
  close(): Promise<void>;
}

export interface BudgetUser {
  wake(): void;
  inFlight(lane: string): number;
}

/**
 * The slots of one process alone. A 429 pauses every slot for its wait and gives one slot up; the
 * slot comes back once things have been calm for a while (AIMD).
 */
export class SlotGovernor implements SlotBudget {
  private slots: number;
  private paused = 0;
  private okStreak = 0;

  constructor(
    private readonly concurrency: number,
    readonly scope: GraphScope = 'app',
  ) {
    this.slots = concurrency;
  }

  get effective(): number {
    return this.slots;
  }

  get pausedUntil(): number {
    return this.paused;
  }

  room(lane: string, inFlight: number): number {
    return Math.max(0, (lane === '' ? this.slots : MAILBOX_LIMIT) - inFlight);
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

  attach(): void {}

  async close(): Promise<void> {}
}
