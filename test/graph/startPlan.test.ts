import { describe, expect, it } from 'vitest';
import type { GraphWrite } from '../../src/graph/graphWrite';
import { laneOf, planStarts, type StartLimits } from '../../src/graph/startPlan';
import type { Queued, QueuedWrite } from '../../src/graph/writeQueue';

let seq = 0;
const write = (mailbox: string, priority = 0): QueuedWrite => ({
  type: 'write',
  op: { kind: 'delete', mailbox, eventId: `e${seq}`, key: `k${seq}` } as GraphWrite,
  priority,
  attempts: 0,
  notBefore: 0,
  seq: seq++,
  resolve: () => undefined,
});

const limits = (over: Partial<StartLimits>): StartLimits => ({
  free: 4,
  laneOf: () => '',
  laneRoom: () => 4,
  chainLength: () => 20,
  ...over,
});

describe('planStarts', () => {
  it('app scope: one lane, chains of the given length up to the free slots, the rest waits', () => {
    const ready: Queued[] = Array.from({ length: 50 }, () => write('a@uio.no'));
    const plan = planStarts(ready, limits({ free: 2, chainLength: () => 20 }));
    expect(plan.chains.map((c) => c.chain.length)).toEqual([20, 20]);
    expect(plan.left).toHaveLength(10);
  });

  it('mailbox scope: a chain holds one mailbox only, each mailbox within its room, all within the overall free', () => {
    const ready: Queued[] = [
      ...Array.from({ length: 10 }, () => write('A@uio.no')),
      ...Array.from({ length: 10 }, () => write('b@uio.no')),
      ...Array.from({ length: 10 }, () => write('c@uio.no')),
    ];
    const room: Record<string, number> = { 'a@uio.no': 4, 'b@uio.no': 1, 'c@uio.no': 4 };
    const plan = planStarts(ready, limits({ free: 6, laneOf, laneRoom: (l) => room[l]!, chainLength: () => 2 }));
    const lanes = plan.chains.map((c) => c.lane);
    expect(lanes).toEqual(['a@uio.no', 'a@uio.no', 'a@uio.no', 'a@uio.no', 'b@uio.no', 'c@uio.no']);
    for (const c of plan.chains) expect(new Set(c.chain.map((q) => laneOf(q))).size).toBe(1);
    expect(plan.left).toHaveLength(30 - 12);
  });

  it("a change's writes go in chains of their own, not padded with a fill's (answered after k x L, not 20 x L)", () => {
    const ready: Queued[] = [
      write('a@uio.no', 400),
      write('b@uio.no', 400),
      ...Array.from({ length: 40 }, () => write('c@uio.no', 200)),
    ];
    const plan = planStarts(ready, limits({ free: 3, chainLength: () => 20 }));
    expect(plan.chains.map((c) => c.chain.map((q) => q.priority))).toEqual([
      [400, 400],
      Array(20).fill(200),
      Array(20).fill(200),
    ]);
    expect(plan.left).toHaveLength(0);
  });

  it('writes from soloFrom up go one per request, answered as soon as each is done', () => {
    const ready: Queued[] = [
      write('a@uio.no', 400),
      write('b@uio.no', 400),
      ...Array.from({ length: 40 }, () => write('c@uio.no', 200)),
    ];
    const plan = planStarts(ready, limits({ free: 4, chainLength: () => 20, soloFrom: 300 }));
    expect(plan.chains.map((c) => c.chain.length)).toEqual([1, 1, 20, 20]);
  });
});
