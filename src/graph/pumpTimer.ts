/**
 * When the GraphWriter looks at its queue again: at the end of this turn of the event loop, or
 * after a delay (a retry's wait, a pause after 429). One pending wake-up of each kind at a time.
 */
export class PumpTimer {
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;

  constructor(private readonly pump: () => void) {}

  schedule(delayMs = 0): void {
    if (delayMs > 0) {
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, delayMs);
      this.timer.unref?.();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: writes queued in the same turn of the event loop end up in the same batch.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }
}
