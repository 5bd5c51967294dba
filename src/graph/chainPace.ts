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
 * The pace of serial chains: which are in flight, and the time per sub-request learnt from finished
 * ones (a moving average, so chain sizing follows Graph's current pace).
 */
export class ChainPace {
  private readonly chains = new Set<ChainInFlight>();
  /** ms; 0 = not yet known. */
  private perRequestMs = 0;

  /** A chain was sent; call the returned function when it has come back (`answered`: with a batch answer). */
  begin(length: number, now: number): (answered: boolean, at: number) => void {
    const chain = { start: now, length };
    this.chains.add(chain);
    return (answered, at) => {
      this.chains.delete(chain);
      if (!answered) return;
      const sample = (at - chain.start) / length;
      this.perRequestMs = this.perRequestMs > 0 ? 0.8 * this.perRequestMs + 0.2 * sample : sample;
    };
  }

  /**
   * How long the chains started now should be. With plenty queued, full batches. When the queue is
   * nearly drained, "water-filling": the work left (queued writes plus what the busy chains still
   * have to do) is shared so that every slot finishes at about the same time, instead of one slot
   * taking a last chain of 20 (20 × L) while the other three wait idle. Chain length costs nothing
   * in slot time (each sub-request takes L either way), only HTTP requests.
   */
  chainLength(s: ChainSizing): number {
    const even = Math.min(s.maxBatch, Math.ceil(s.queued / Math.min(s.freeSlots, s.queued)));
    const per = this.perRequestMs;
    if (per <= 0) return even;
    let busy = s.readyLeft;
    for (const c of this.chains) busy += Math.max(0, c.start + c.length * per - s.now) / per;
    const share = Math.ceil((busy + s.queued) / Math.max(1, s.effectiveSlots));
    return Math.max(1, Math.min(even, share));
  }
}
