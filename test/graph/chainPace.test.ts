import { describe, expect, it } from 'vitest';
import { ChainPace } from '../../src/graph/chainPace';
import { subAnswer } from '../../src/graph/subAnswer';
import { transactionIdFor } from '../../src/graph/transactionId';
import { transactionKeyOf } from '../../src/graph/transactionId';

/** Pure parts of the GraphWriter's failure handling: chain sizing against the timeout, mailbox errors, ids. */
describe('ChainPace and the timeout', () => {
  const sizing = { queued: 80, freeSlots: 4, maxBatch: 20, effectiveSlots: 4, readyLeft: 200, now: 0 };

  it('caps chains to half the timeout at the pace learnt', () => {
    const pace = new ChainPace(1_000);
    expect(pace.chainLength(sizing)).toBe(20);
    pace.begin(4, 0)(true, 400); // 100 ms per sub-request
    expect(pace.chainLength(sizing)).toBe(5);
  });

  it('keeps chains to about a second at the pace learnt, so urgent writes find a free slot soon', () => {
    const pace = new ChainPace(30_000);
    pace.begin(10, 0)(true, 2_000); // 200 ms per sub-request: half the timeout would allow 75
    expect(pace.chainLength(sizing)).toBe(5);
    pace.begin(20, 0)(true, 1_000); // Graph got faster (moving average: 170 ms)
    expect(pace.chainLength(sizing)).toBe(5);
    const longer = new ChainPace(30_000, 4_000);
    longer.begin(10, 0)(true, 2_000);
    expect(longer.chainLength(sizing)).toBe(20);
  });

  it('a chain that timed out teaches a lower bound at once, and keeps its slot at least one timeout more', () => {
    const pace = new ChainPace(1_000);
    const done = pace.begin(20, 0);
    expect(pace.stillRunningMs(20, 1_000)).toBe(1_000);
    done(false, 1_000); // >= 50 ms per sub-request
    expect(pace.chainLength(sizing)).toBe(10);
    expect(pace.stillRunningMs(20, 200)).toBe(0); // failed fast (refused): nothing runs on
    expect(pace.stillRunningMs(40, 1_000)).toBe(1_000);
    expect(pace.stillRunningMs(100, 1_000)).toBe(4_000); // the pace says it needs longer
  });
});

describe('mailbox errors in a batch', () => {
  const del = { kind: 'delete' as const, mailbox: 'a@uio.no', eventId: 'x', key: 'k' };
  it("a DELETE's 404 about the mailbox is a refusal, not 'already gone'", () => {
    const body = { error: { code: 'MailboxNotEnabledForRESTAPI', message: 'inactive' } };
    expect(subAnswer(del, 'DELETE', { id: '1', status: 404, body }, 0)).toMatchObject({
      kind: 'done',
      refused: true,
      result: { ok: false, code: 'MailboxNotEnabledForRESTAPI' },
    });
    const item = { error: { code: 'ErrorItemNotFound', message: 'not found' } };
    expect(subAnswer(del, 'DELETE', { id: '1', status: 404, body: item }, 0)).toMatchObject({ result: { ok: true } });
  });
});

describe('transactionId generations', () => {
  it('generation 0 is the id kada always used; each later one is another id', () => {
    expect(transactionIdFor('a@uio.no', transactionKeyOf('k', 0))).toBe(transactionIdFor('a@uio.no', 'k'));
    const ids = new Set([0, 1, 2].map((g) => transactionIdFor('a@uio.no', transactionKeyOf('k', g))));
    expect(ids.size).toBe(3);
  });
});
