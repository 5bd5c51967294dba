import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphOnlyConfig } from '../../testkit/support/graphOnlyConfig';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../testkit/graph/graphEmulator';
import { createTokenProvider } from '../../src/graph/auth';
import { createGraphClient } from '../../src/graph/graphClient';
import { GraphWriter, type GraphWrite } from '../../src/graph/writer';
import { markerProperties } from '../../src/domain/markers';

function eventBody(i: number) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return {
    subject: `IN1000 Forelesning ${i}`,
    start: { dateTime: `2026-09-${day}T10:15:00`, timeZone: 'W. Europe Standard Time' },
    end: { dateTime: `2026-09-${day}T12:00:00`, timeZone: 'W. Europe Standard Time' },
    showAs: 'busy',
    isReminderOn: false,
    singleValueExtendedProperties: markerProperties('uio', `tp:26h:IN1000,1:e${i}`, 'h'),
  };
}

describe('GraphWriter against the Graph emulator', () => {
  let ms: MicrosoftEmulator;
  let writer: GraphWriter;
  beforeAll(async () => {
    if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error('NODE_EXTRA_CA_CERTS is not set: run with `npm test`');
    ms = await startMicrosoftEmulator({ latencyMs: 20 });
    const config = graphOnlyConfig(ms.env());
    const client = createGraphClient(config.graph, createTokenProvider(config.graph));
    writer = new GraphWriter({ client, concurrency: 4, backoff: { baseMs: 20, capMs: 200 } });
  });
  afterAll(async () => ms?.close());

  const creates = (mailbox: string, n: number, from = 0): GraphWrite[] =>
    Array.from({ length: n }, (_, i) => ({
      kind: 'create',
      mailbox,
      calendarId: null,
      key: `tp:26h:IN1000,1:e${from + i}`,
      body: eventBody(from + i),
    }));

  it('writes 200 events in batches of up to 20 without exceeding 4 concurrent requests', async () => {
    ms.graph.resetStats();
    const results = await writer.writeAll(creates('a@uio.no', 200));
    expect(results.every((r) => r.ok)).toBe(true);
    const s = ms.graph.stats();
    expect(s.writes.create).toBe(200);
    expect(s.throttled).toBe(0);
    expect(s.maxConcurrency).toBeLessThanOrEqual(4);
    expect(s.requests.total).toBeLessThanOrEqual(200 / 20 + 4);
    expect(ms.graph.events('a@uio.no')).toHaveLength(200);
    expect(writer.stats().maxInFlight).toBe(4);
  });

  it('shares the last writes of a run across all slots instead of one long last chain', async () => {
    // Warm up: the writer learns how long a sub-request takes from finished chains.
    await writer.writeAll(creates('w@uio.no', 4));
    const before = writer.stats();
    const results = await writer.writeAll(creates('w@uio.no', 100, 4));
    expect(results.every((r) => r.ok)).toBe(true);
    const batches = writer.stats().batches - before.batches;
    // 4 full chains of 20 first; the 20 left are split over the slots as they free up (one chain of
    // 20 would keep one slot busy for 20 × L while three wait), but never into single requests.
    expect(batches).toBeGreaterThanOrEqual(6);
    expect(batches).toBeLessThanOrEqual(100 / 20 + 4);
    expect(writer.stats().subRequests - before.subRequests).toBe(100);
  });

  it('retries throttled and failed sub-requests and applies the ones that succeeded', async () => {
    ms.graph.resetStats();
    ms.graph.failNext('429', 2, { method: 'POST' });
    ms.graph.failNext('503', 2, { method: 'POST' });
    const results = await writer.writeAll(creates('b@uio.no', 30));
    expect(results.filter((r) => r.ok)).toHaveLength(30);
    expect(ms.graph.events('b@uio.no')).toHaveLength(30);
    expect(ms.graph.stats().throttled).toBeGreaterThanOrEqual(2);
  });

  it('never makes two events of one key when a create fails after landing', async () => {
    ms.graph.failNext('503AfterCreate', 5, { method: 'POST' });
    const results = await writer.writeAll(creates('c@uio.no', 10));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(ms.graph.events('c@uio.no')).toHaveLength(10);
  });

  it('reports a refused write as failed and a patch of a deleted event as gone', async () => {
    const [created] = await writer.writeAll(creates('d@uio.no', 1));
    expect(created?.ok).toBe(true);
    const id = created!.ok ? created!.eventId! : '';
    ms.graph.userDelete('d@uio.no', id);
    const gone = await writer.write({
      kind: 'update',
      mailbox: 'd@uio.no',
      eventId: id,
      key: 'k',
      body: { subject: 'x' },
    });
    expect(gone).toMatchObject({ ok: false, gone: true, status: 404 });
    const bad = await writer.write({
      kind: 'create',
      mailbox: 'd@uio.no',
      calendarId: null,
      key: 'k2',
      body: { ...eventBody(1), colour: 'red' },
    });
    expect(bad).toMatchObject({ ok: false, gone: false, status: 400 });
    const del = await writer.write({ kind: 'delete', mailbox: 'd@uio.no', eventId: id, key: 'k' });
    expect(del.ok).toBe(true); // already gone: the goal is reached
  });
});
