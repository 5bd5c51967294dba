import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenProvider } from '../../src/graph/auth';
import { createGraphClient } from '../../src/graph/graphClient';
import { SharedBudget } from '../../src/graph/sharedBudget';
import type { GraphScope } from '../../src/graph/slotGovernor';
import { type GraphWrite, GraphWriter } from '../../src/graph/writer';
import { markerProperties } from '../../src/domain/markers';
import { leasedNow, leaseSlots } from '../../src/store/graphBudget';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../testkit/graph/graphEmulator';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';
import { graphOnlyConfig } from '../../testkit/support/graphOnlyConfig';

/**
 * Several kada processes' writers, each with a SharedBudget of its own (own holder id), on one real
 * PostgreSQL budget, against a Graph emulator whose limit is set far above the budget so that it
 * records how many requests were really in flight together instead of refusing them.
 */

function creates(mailbox: string, n: number, tag: string): GraphWrite[] {
  return Array.from({ length: n }, (_, i) => {
    const day = String(1 + (i % 28)).padStart(2, '0');
    return {
      kind: 'create',
      mailbox,
      calendarId: null,
      key: `tp:26h:${tag}:e${i}`,
      body: {
        subject: `${tag} ${i}`,
        start: { dateTime: `2026-09-${day}T10:15:00`, timeZone: 'W. Europe Standard Time' },
        end: { dateTime: `2026-09-${day}T12:00:00`, timeZone: 'W. Europe Standard Time' },
        singleValueExtendedProperties: markerProperties('uio', `tp:26h:${tag}:e${i}`, 'h'),
      },
    };
  });
}

describe('one Outlook budget shared by several processes through PostgreSQL', () => {
  let ms: MicrosoftEmulator;
  let db: TestDatabase;
  const open: { budget: SharedBudget; writer: GraphWriter }[] = [];

  function processNamed(holder: string, opts: { concurrency?: number; scope?: GraphScope } = {}) {
    const config = graphOnlyConfig(ms.env());
    const client = createGraphClient(config.graph, createTokenProvider(config.graph));
    const concurrency = opts.concurrency ?? 4;
    const budget = new SharedBudget({
      db: db.dataSource,
      holder,
      concurrency,
      scope: opts.scope ?? 'app',
      timeoutMs: 2_000,
    });
    const writer = new GraphWriter({
      client,
      budget,
      concurrency,
      timeoutMs: 2_000,
      backoff: { baseMs: 20, capMs: 200 },
    });
    open.push({ budget, writer });
    return { budget, writer };
  }

  beforeAll(async () => {
    if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error('NODE_EXTRA_CA_CERTS is not set: run with `npm test`');
    ms = await startMicrosoftEmulator({ latencyMs: 25, concurrencyLimit: 1_000, retryAfterSeconds: 1 });
    db = await createTestDatabase();
  });
  beforeEach(async () => {
    for (const p of open.splice(0)) await p.budget.close();
    await db.dataSource.query(
      `DELETE FROM graph_leases; UPDATE graph_budget SET effective = NULL, paused_until = '-infinity'`,
    );
    ms.graph.setConcurrencyLimit(1_000, null);
    ms.graph.resetStats();
  });
  afterAll(async () => {
    for (const p of open.splice(0)) await p.budget.close();
    await ms?.close();
    await db?.drop();
  });

  it('three processes writing at once never have more than GRAPH_CONCURRENCY in flight together', async () => {
    const procs = ['a', 'b', 'c'].map((n) => processNamed(`host:${n}`));
    const results = await Promise.all(procs.map((p, i) => p.writer.writeAll(creates(`p${i}@uio.no`, 120, `K${i}`))));
    expect(results.flat().every((r) => r.ok)).toBe(true);
    const s = ms.graph.stats();
    expect(s.writes.create).toBe(360);
    expect(s.throttled).toBe(0);
    // Each process alone would have had 4 in flight (12 together); the budget held them to 4 in all.
    expect(s.maxConcurrency).toBe(4);
    expect(procs.every((p) => p.writer.stats().maxInFlight >= 1)).toBe(true);
  });

  it("gives an idle process's slots to a busy one, and a finished process holds none", async () => {
    const idle = processNamed('host:idle');
    const busy = processNamed('host:busy');
    expect((await idle.writer.writeAll(creates('idle@uio.no', 8, 'I'))).every((r) => r.ok)).toBe(true);
    await idle.writer.idle();
    ms.graph.resetStats();
    expect((await busy.writer.writeAll(creates('busy@uio.no', 160, 'B'))).every((r) => r.ok)).toBe(true);
    expect(ms.graph.stats().maxConcurrency).toBe(4);
    expect(busy.writer.stats().maxInFlight).toBe(4);
    // Unused slots go back after a short linger: nothing stays leased once both are idle.
    await expect.poll(async () => (await leasedNow(db.dataSource)).reduce((n, l) => n + l.slots, 0)).toBe(0);
  });

  it('a 429 seen by one process shrinks the budget for all and pauses the others for its Retry-After', async () => {
    const hit = processNamed('host:hit');
    const other = processNamed('host:other');
    ms.graph.failNext('429', 1);
    const tooMany = await hit.writer.writeAll(creates('hit@uio.no', 1, 'H'));
    expect(tooMany.every((r) => r.ok)).toBe(true);
    expect(hit.writer.stats().throttled).toBe(1);
    const [row] = await db.dataSource.query(
      `SELECT effective, extract(epoch FROM paused_until) * 1000 AS until FROM graph_budget`,
    );
    expect(row.effective).toBe(3);
    await hit.budget.close();
    // The other process learns the shared value and the pause at its next lease: 3 slots, not its own 4,
    // and nothing before the Retry-After (1 s) is over. Fewer writes than a calm streak, so no slot comes back yet.
    ms.graph.resetStats();
    expect((await other.writer.writeAll(creates('other@uio.no', 12, 'O'))).every((r) => r.ok)).toBe(true);
    expect(other.budget.effective).toBe(3);
    expect(ms.graph.stats().maxConcurrency).toBe(3);
    expect(Math.min(...ms.graph.requestLog().map((e) => e.at))).toBeGreaterThanOrEqual(Number(row.until) - 50);
    // Calm again: the slot comes back for everyone (additive increase on the shared value).
    expect((await other.writer.writeAll(creates('calm@uio.no', 60, 'C'))).every((r) => r.ok)).toBe(true);
    await expect
      .poll(async () => (await db.dataSource.query(`SELECT effective FROM graph_budget`))[0].effective)
      .toBe(null);
  });

  it('a process that learns of a pause from the database waits it out before its next request', async () => {
    const waiter = processNamed('host:waiter');
    await db.dataSource.query(`UPDATE graph_budget SET paused_until = now() + interval '1500 ms'`);
    const [{ until }] = await db.dataSource.query(
      `SELECT extract(epoch FROM paused_until) * 1000 AS until FROM graph_budget`,
    );
    expect((await waiter.writer.writeAll(creates('w@uio.no', 2, 'W'))).every((r) => r.ok)).toBe(true);
    const first = Math.min(...ms.graph.requestLog().map((e) => e.at));
    // The lease answer carries the pause; the first request of the waiter is after its end.
    expect(first).toBeGreaterThanOrEqual(Number(until) - 50);
  });

  it('a killed holder keeps its slots only until its lease expires; then others take them', async () => {
    await leaseSlots(db.dataSource, { holder: 'dead:1', lane: '', limit: 4, want: 4, keep: 4, ttlMs: 1_500 });
    const alive = { holder: 'alive:1', lane: '', limit: 4, want: 4, keep: 0, ttlMs: 10_000 };
    expect((await leaseSlots(db.dataSource, alive)).granted).toBe(0);
    await expect.poll(async () => (await leaseSlots(db.dataSource, alive)).granted, { timeout: 5_000 }).toBe(4);
    expect(await db.dataSource.query(`SELECT holder FROM graph_leases`)).toEqual([{ holder: 'alive:1' }]);
  });

  it('shares the slots fairly while several processes want them', async () => {
    const base = { lane: '', limit: 4, keep: 0, ttlMs: 10_000 };
    expect((await leaseSlots(db.dataSource, { ...base, holder: 'x', want: 4 })).granted).toBe(4);
    expect((await leaseSlots(db.dataSource, { ...base, holder: 'y', want: 4 })).granted).toBe(0);
    // x renews while y waits: x keeps its fair share (what it has in flight at least) and gives the rest back.
    expect((await leaseSlots(db.dataSource, { ...base, holder: 'x', want: 4, keep: 1 })).granted).toBe(2);
    expect((await leaseSlots(db.dataSource, { ...base, holder: 'y', want: 4 })).granted).toBe(2);
  });

  it('mailbox scope: at most 4 per mailbox across processes, GRAPH_CONCURRENCY overall', async () => {
    ms.graph.setConcurrencyLimit(1_000, 1_000);
    const procs = ['m1', 'm2'].map((n) => processNamed(`host:${n}`, { concurrency: 8, scope: 'mailbox' }));
    // Both processes write into the same mailbox (each alone would put 4 there) and into mailboxes of their own.
    const work = procs.flatMap((p, i) => [
      p.writer.writeAll(creates('shared@uio.no', 60, `S${i}`)),
      ...[0, 1, 2].map((m) => p.writer.writeAll(creates(`own${i}${m}@uio.no`, 40, `M${i}${m}`))),
    ]);
    expect((await Promise.all(work)).flat().every((r) => r.ok)).toBe(true);
    const s = ms.graph.stats();
    expect(s.throttled).toBe(0);
    expect(s.maxConcurrencyByMailbox['shared@uio.no']).toBe(4);
    expect(s.maxMailboxConcurrency).toBe(4);
    // More than the app scope's 4 in flight together, never more than the budget of 8.
    expect(s.maxConcurrency).toBeGreaterThan(4);
    expect(s.maxConcurrency).toBeLessThanOrEqual(8);
  });
});
