import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphOnlyConfig } from '../../testkit/support/graphOnlyConfig';
import { KEY_PROP, markerProperties } from '../../src/domain/markers';
import { createTokenProvider } from '../../src/graph/auth';
import { createGraphClient } from '../../src/graph/graphClient';
import { type GraphWrite, GraphWriter } from '../../src/graph/writer';
import { type MicrosoftEmulator, startMicrosoftEmulator } from '../../testkit/graph/graphEmulator';

/**
 * The GraphWriter when Graph fails part of a chain or is slow: a 424'd sub-request never ran and is
 * sent again (concepts/json-batching); a chain abandoned at GRAPH_TIMEOUT_MS keeps its slot until it
 * cannot still be running at Graph, so the documented 4 concurrent requests are never exceeded.
 */

function eventBody(key: string, i: number) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return {
    subject: `IN1000 Forelesning ${i}`,
    start: { dateTime: `2026-09-${day}T10:15:00`, timeZone: 'W. Europe Standard Time' },
    end: { dateTime: `2026-09-${day}T12:00:00`, timeZone: 'W. Europe Standard Time' },
    showAs: 'busy',
    singleValueExtendedProperties: markerProperties('uio', key, 'h'),
  };
}

const creates = (mailbox: string, n: number): GraphWrite[] =>
  Array.from({ length: n }, (_, i) => {
    const key = `tp:26h:IN1000,1:${mailbox}-${i}`;
    return { kind: 'create', mailbox, calendarId: null, key, body: eventBody(key, i) };
  });

async function emulatorAndWriter(timeoutMs: number, emu: Parameters<typeof startMicrosoftEmulator>[0]) {
  const ms = await startMicrosoftEmulator(emu);
  const config = graphOnlyConfig({ GRAPH_TIMEOUT_MS: String(timeoutMs), ...ms.env() });
  const client = createGraphClient(config.graph, createTokenProvider(config.graph));
  const writer = new GraphWriter({ client, concurrency: 4, timeoutMs, backoff: { baseMs: 20, capMs: 200 } });
  return { ms, writer };
}

const keysIn = (ms: MicrosoftEmulator, mailbox: string) =>
  ms.graph.events(mailbox).map((e) => e.extendedProperties[KEY_PROP]!);

describe('GraphWriter: 424 Failed Dependency', () => {
  let ms: MicrosoftEmulator;
  let writer: GraphWriter;
  beforeAll(async () => {
    ({ ms, writer } = await emulatorAndWriter(30_000, { latencyMs: 5 }));
  });
  afterAll(async () => ms?.close());

  it('sends the dependents of a failed link again: they never ran, and are not failures', async () => {
    ms.graph.resetStats();
    ms.graph.failNext('500', 1, { method: 'POST' });
    const results = await writer.writeAll(creates('dep@uio.no', 10));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(ms.graph.stats().outlookRequests.byStatus['424']).toBeGreaterThan(0);
    expect(keysIn(ms, 'dep@uio.no').sort()).toEqual(
      creates('dep@uio.no', 10)
        .map((c) => c.key)
        .sort(),
    );
    expect(ms.graph.stats().writes.create).toBe(10);
  });

  it('a refused link fails alone; the writes chained after it land', async () => {
    const ops = creates('bad@uio.no', 8);
    const bad = ops[2] as Extract<GraphWrite, { kind: 'create' }>;
    bad.body = { ...bad.body, showAs: 'notAShowAs' };
    const before = writer.stats().failed;
    const results = await writer.writeAll(ops);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true, true, true, true]);
    expect(results[2]).toMatchObject({ ok: false, status: 400 });
    expect(writer.stats().failed - before).toBe(1);
    expect(keysIn(ms, 'bad@uio.no')).toHaveLength(7);
  });
});

describe('GraphWriter: chains fit the timeout (timeout storm)', () => {
  let ms: MicrosoftEmulator;
  let writer: GraphWriter;
  const timeoutMs = 1_000;
  const latencyMs = 75; // a chain of 20 takes 1.5 s at Graph: longer than the timeout
  beforeAll(async () => {
    // The emulator admits more than 4 here, so its recorded peak shows what kada really sent.
    ({ ms, writer } = await emulatorAndWriter(timeoutMs, { latencyMs, concurrencyLimit: 100 }));
  });
  afterAll(async () => ms?.close());

  it('never has more than 4 requests in flight at Graph, and every write lands exactly once', async () => {
    expect(20 * latencyMs).toBeGreaterThan(timeoutMs);
    ms.graph.resetStats();
    const ops = creates('slow@uio.no', 160);
    const results = await writer.writeAll(ops);
    expect(results.every((r) => r.ok)).toBe(true);
    const s = ms.graph.stats();
    expect(s.maxConcurrency).toBeLessThanOrEqual(4);
    expect(s.writes.create).toBe(160);
    const keys = keysIn(ms, 'slow@uio.no');
    expect(keys).toHaveLength(160);
    expect(new Set(keys).size).toBe(160);
    // The first chains timed out and were sent again; later ones were short enough to fit.
    expect(writer.stats().retries).toBeGreaterThan(0);
    expect(writer.stats().batches).toBeGreaterThan(160 / 20);
  }, 60_000);
});

describe('GraphWriter at shutdown', () => {
  let ms: MicrosoftEmulator;
  let writer: GraphWriter;
  beforeAll(async () => {
    ms = await startMicrosoftEmulator({ latencyMs: 5 });
    const config = graphOnlyConfig({ GRAPH_TIMEOUT_MS: '30000', ...ms.env() });
    const client = createGraphClient(config.graph, createTokenProvider(config.graph));
    writer = new GraphWriter({ client, concurrency: 4, timeoutMs: 30_000, backoff: { baseMs: 60_000, capMs: 60_000 } });
  });
  afterAll(async () => ms?.close());

  it('settles once nothing is in flight, not waiting for a retry that waits out its backoff', async () => {
    ms.graph.failNext('500', 1, { method: 'POST' });
    let answered = false;
    void writer.writeAll(creates('late@uio.no', 1)).then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(writer.pending).toBe(1); // the failed write waits a minute to be sent again
    const backoffLeft = new Promise((r) => setTimeout(() => r('still waiting'), 10_000).unref());
    expect(await Promise.race([writer.settled().then(() => 'settled'), backoffLeft])).toBe('settled');
    expect(answered).toBe(false);
    expect(writer.pending).toBe(1);
  });
});
