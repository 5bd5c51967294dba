import type { GraphWrite, GraphWriteResult } from './graphWrite';

export interface QueuedWrite {
  type: 'write';
  op: GraphWrite;
  priority: number;
  attempts: number;
  notBefore: number;
  seq: number;
  resolve: (r: GraphWriteResult) => void;
}

export interface QueuedCall {
  type: 'call';
  /** The mailbox the call goes to, for GRAPH_CONCURRENCY_SCOPE=mailbox. */
  mailbox?: string;
  run: () => Promise<void>;
  priority: number;
  notBefore: number;
  seq: number;
}

export type Queued = QueuedWrite | QueuedCall;

/** The GraphWriter's waiting room: writes and single calls, each with the earliest time it may run. */
export class WriteQueue {
  private items: Queued[] = [];
  private seq = 0;

  get length(): number {
    return this.items.length;
  }

  /** The next arrival number: equal priorities run oldest first. */
  nextSeq(): number {
    return this.seq++;
  }

  push(...q: Queued[]): void {
    this.items.push(...q);
  }

  /** Removes and returns up to `max` entries that may run now, highest priority first, oldest first. */
  takeReady(now: number, max: number): Queued[] {
    const ready: Queued[] = [];
    const rest: Queued[] = [];
    for (const q of this.items) (q.notBefore <= now ? ready : rest).push(q);
    ready.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    const taken = ready.slice(0, max);
    this.items = rest.concat(ready.slice(max));
    return taken;
  }

  /** Entries that could run now. */
  readyCount(now: number): number {
    let n = 0;
    for (const q of this.items) if (q.notBefore <= now) n++;
    return n;
  }

  /** Writes that could run now but were not taken. */
  readyWrites(now: number): number {
    let n = 0;
    for (const q of this.items) if (q.type === 'write' && q.notBefore <= now) n++;
    return n;
  }

  /** When the earliest waiting entry may run; Infinity when nothing waits. */
  nextDue(): number {
    return this.items.reduce((min, q) => Math.min(min, q.notBefore), Infinity);
  }
}
