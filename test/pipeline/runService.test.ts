import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminServerOptions } from '../../src/admin/server';
import { startService, type RunningService } from '../../src/app/runService';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/log/logger';
import { createMetrics } from '../../src/observability/metrics';
import { createAmqpFixture, eventually, type AmqpFixture } from '../intake/amqpFixture';
import { startHarness, type Harness } from '../../testkit/support/harness';
import { amqpEnv, freePort } from './pipelineFixture';

/** The process assembly of `kada run`, in-process, with the admin server swapped through its seam. */
let h: Harness;
let amqpFx: AmqpFixture;

beforeAll(async () => {
  amqpFx = await createAmqpFixture('service');
  h = await startHarness({ seed: 3, students: 10, noContext: true, env: amqpEnv(amqpFx) });
});
afterAll(async () => {
  await h?.close();
  await amqpFx?.close();
});

async function start(env: Record<string, string> = {}) {
  const admin: { opts?: AdminServerOptions; closed: boolean } = { closed: false };
  const service: RunningService = await startService(loadConfig({ ...h.env, ...env }), {
    logger: silentLogger,
    metrics: createMetrics(),
    env: h.env,
    startAdmin: async (_ctx, opts) => {
      admin.opts = opts;
      return { url: 'http://admin.test', close: async () => void (admin.closed = true) };
    },
  });
  return { service, admin };
}

describe('startService', () => {
  it('is ready once the database and the broker are reachable, and stops everything in order', async () => {
    const { service, admin } = await start();
    expect(service.adminUrl).toBe('http://admin.test');
    await service.consumer.whenConnected();
    expect(await admin.opts!.isReady()).toEqual({ database: true, broker: true });
    await service.stop();
    expect(admin.closed).toBe(true);
    expect(service.consumer.isConnected()).toBe(false);
    expect(service.ctx.dataSource.isInitialized).toBe(false);
  });

  it('starts while the broker is unreachable and reports not ready instead of failing', async () => {
    const deadPort = await freePort();
    const { service, admin } = await start({ AMQP_URL: `amqp://guest:guest@127.0.0.1:${deadPort}` });
    try {
      await eventually(async () => (await admin.opts!.isReady()).database, { what: 'the database check' });
      expect(await admin.opts!.isReady()).toEqual({ database: true, broker: false });
    } finally {
      await service.stop();
    }
  });
});
