import type { Queued, QueuedCall, QueuedWrite } from './writeQueue';

/** What the GraphWriter starts in one turn: single calls, serial chains (each with its lane), and what waits. */
export interface StartPlan {
  calls: { call: QueuedCall; lane: string }[];
  chains: { chain: QueuedWrite[]; lane: string }[];
  left: Queued[];
}

export interface StartLimits {
  /** Requests that may start now for the whole app. */
  free: number;
  /** The lane of an entry: '' in app scope; its mailbox in mailbox scope ('' when it names none). */
  laneOf(q: Queued): string;
  /** Requests that may start now in a mailbox lane with `want` waiting there. */
  laneRoom(lane: string, want: number): number;
  /** How long the chains started now should be (ChainPace.chainLength). */
  chainLength(queued: number, freeSlots: number): number;
  /** Writes of this priority and above go one per request (default: none). */
  soloFrom?: number;
}

/**
 * Shares the free slots among the ready entries, in their order (highest priority, oldest first):
 * per lane, each single call takes a slot, then the writes go out as serial chains, one slot each. A
 * chain holds writes of one lane only, so in mailbox scope it counts against exactly one mailbox.
 */
export function planStarts(ready: Queued[], l: StartLimits): StartPlan {
  const plan: StartPlan = { calls: [], chains: [], left: [] };
  const lanes = new Map<string, Queued[]>();
  for (const q of ready) {
    const lane = l.laneOf(q);
    const list = lanes.get(lane);
    if (list) list.push(q);
    else lanes.set(lane, [q]);
  }
  let free = l.free;
  for (const [lane, entries] of lanes) {
    const calls = entries.filter((q): q is QueuedCall => q.type === 'call');
    const writes = entries.filter((q): q is QueuedWrite => q.type === 'write');
    let slots = free <= 0 ? 0 : lane === '' ? free : Math.min(free, l.laneRoom(lane, entries.length));
    for (const c of calls) {
      if (slots <= 0) {
        plan.left.push(c);
        continue;
      }
      slots--;
      free--;
      plan.calls.push({ call: c, lane });
    }
    if (writes.length === 0) continue;
    if (slots <= 0) {
      plan.left.push(...writes);
      continue;
    }
    const per = l.chainLength(writes.length, slots);
    for (const group of byPriority(writes)) {
      const length = group[0]!.priority >= (l.soloFrom ?? Infinity) ? 1 : per;
      for (let i = 0; i < group.length; i += length) {
        const chain = group.slice(i, i + length);
        if (slots <= 0) {
          plan.left.push(...chain);
          continue;
        }
        slots--;
        free--;
        plan.chains.push({ chain, lane });
      }
    }
  }
  return plan;
}

/**
 * Writes split where their priority changes (they come highest first). A chain's answer comes only when
 * its last write is done, so a change's write in a chain padded with a fill's writes would wait for all
 * of them; chain length costs no slot time, only HTTP requests.
 */
function byPriority(writes: QueuedWrite[]): QueuedWrite[][] {
  const groups: QueuedWrite[][] = [];
  for (const w of writes) {
    const last = groups.at(-1);
    if (last && last[0]!.priority === w.priority) last.push(w);
    else groups.push([w]);
  }
  return groups;
}

/** Requests in flight, in all and per mailbox lane. */
export class InFlightCount {
  total = 0;
  private readonly lanes = new Map<string, number>();

  /** In flight in a mailbox lane; '' = in all. */
  of(lane: string): number {
    return lane === '' ? this.total : (this.lanes.get(lane) ?? 0);
  }

  add(lane: string): number {
    if (lane) this.lanes.set(lane, this.of(lane) + 1);
    return ++this.total;
  }

  remove(lane: string): void {
    this.total--;
    if (!lane) return;
    const n = this.of(lane) - 1;
    if (n > 0) this.lanes.set(lane, n);
    else this.lanes.delete(lane);
  }
}

/** The mailbox a queued entry's request goes to ('' when a call names none). */
export const laneOf = (q: Queued): string => (q.type === 'write' ? q.op.mailbox : (q.mailbox ?? '')).toLowerCase();
