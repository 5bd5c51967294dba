/**
 * The persons a walk has handed out, in person order, and its cursor: the last person before which every
 * person is done. Workers go on with the next person while a slow one (a first fill, a lecturer of many
 * courses) is still running; a run resumed from the cursor walks at most the persons in the window again.
 */
export class WalkWindow {
  private readonly open: { id: string; done: boolean }[] = [];

  constructor(private at: string) {}

  get cursor(): string {
    return this.at;
  }

  take(personId: string): void {
    this.open.push({ id: personId, done: false });
  }

  /** Marks a person done and returns the cursor, moved past every person done in a row. */
  finish(personId: string): string {
    const p = this.open.find((o) => o.id === personId && !o.done);
    if (p) p.done = true;
    while (this.open[0]?.done) this.at = this.open.shift()!.id;
    return this.at;
  }
}
