/** A serial chain in flight: when it started and how many sub-requests it carries. */
interface ChainInFlight {
  start: number;
  length: number;
}

export interface ChainSizing {
  /** Writes about to be sent now. */
  queued: number;
  freeSlots: number;
  maxBatch: number;
  /** Slots the writer may use at the moment (fewer than configured after a 429). */
  effectiveSlots: number;
  /** Writes that are ready but were not taken this round. */
  readyLeft: number;
  now: number;
}

/**
 * A chain is sized to take at most this share of the request timeout at the pace learnt: a serial
 * chain of n holds its slot on Graph's side for about n × L, and a chain abandoned at the timeout but
 * still running there would be a fifth request in flight once its writes are sent again.
 */
const TIMEOUT_SHARE = 0.5;

/**
 * And at most this long at the pace learnt: a chain cannot be overtaken once sent, so a change that
 * arrives while a fill keeps every slot busy waits for the first chain to end (service.md "Order of
 * work": a change lands within seconds). Shorter chains cost only HTTP requests, not slot time.
 */
export const CHAIN_TARGET_MS = 1_000;

/**
 * The pace of serial chains: which are in flight, and the time per sub-request learnt from finished
 * ones (a moving average, so chain sizing follows Graph's current pace).
 */
export class ChainPace {
  private readonly chains = new Set<ChainInFlight>();
  /** ms; 0 = not yet known. */
  private perRequestMs = 0;

  constructor(
    private readonly timeoutMs = Infinity,
    private readonly targetMs = CHAIN_TARGET_MS,
  ) {}

  /** A chain was sent; call the returned function when it has come back (`answered`: with a batch answer). */
  begin(length: number, now: number): (answered: boolean, at: number) => void {
    const chain = { start: now, length };
    this.chains.add(chain);
    return (answered, at) => {
      this.chains.delete(chain);
      const sample = (at - chain.start) / length;
      if (!answered) {
        // No answer by the timeout: each sub-request takes at least this long; shorten the chains now.
        if (at - chain.start >= this.timeoutMs * 0.9) this.perRequestMs = Math.max(this.perRequestMs, sample);
        return;
      }
      this.perRequestMs = this.perRequestMs > 0 ? 0.8 * this.perRequestMs + 0.2 * sample : sample;
    };
  }

  /**
   * How long a request of `length` sub-requests that got no answer within the timeout may still be
   * running on Graph's side (0: it did not time out, e.g. the connection was refused). Its slot stays
   * taken, and its writes wait, for that long: at least one timeout more (a request that timed out is
   * assumed to finish within twice its timeout), longer when the pace learnt says the chain needs it.
   */
  stillRunningMs(length: number, elapsedMs: number): number {
    if (!Number.isFinite(this.timeoutMs) || elapsedMs < this.timeoutMs * 0.9) return 0;
    return Math.max(this.timeoutMs, length * this.perRequestMs - elapsedMs);
  }

  /**
   * How long the chains started now should be. With plenty queued, full batches, but never longer
   * than fits in half the timeout, or in CHAIN_TARGET_MS, at the pace learnt. When the queue is nearly drained,
   * "water-filling": the work left (queued writes plus what the busy chains still have to do) is
   * shared so that every slot finishes at about the same time, instead of one slot taking a last
   * chain of 20 (20 × L) while the other three wait idle. Chain length costs nothing in slot time
   * (each sub-request takes L either way), only HTTP requests.
   */
  chainLength(s: ChainSizing): number {
    const per = this.perRequestMs;
    const longest = Math.min(this.timeoutMs * TIMEOUT_SHARE, this.targetMs);
    const fits = per > 0 ? Math.max(1, Math.floor(longest / per)) : s.maxBatch;
    const maxBatch = Math.min(s.maxBatch, fits);
    const even = Math.min(maxBatch, Math.ceil(s.queued / Math.min(s.freeSlots, s.queued)));
    if (per <= 0) return even;
    let busy = s.readyLeft;
    for (const c of this.chains) busy += Math.max(0, c.start + c.length * per - s.now) / per;
    const share = Math.ceil((busy + s.queued) / Math.max(1, s.effectiveSlots));
    return Math.max(1, Math.min(even, share));
  }
}

/** Keeps the caller's slot taken for `ms` (0: not at all). */
export const holdSlot = (ms: number) => new Promise<void>((r) => (ms > 0 ? setTimeout(r, ms) : r()));
