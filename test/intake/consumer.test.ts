import { readFileSync } from 'node:fs';
import path from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotificationConsumer, type ConsumerOptions } from '../../src/intake/consumer';
import { queueArguments } from '../../src/intake/topology';
import { silentLogger } from '../../src/log/logger';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import type { Queryable } from '../../src/store/queryable';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';
import { createAmqpFixture, eventually, type AmqpFixture } from './amqpFixture';
import { loadBadNotifications } from './badNotifications';

const example = (name: string) => JSON.parse(readFileSync(path.resolve(__dirname, 'fixtures/contract', name), 'utf8'));
const FS_EXAMPLE = example('amqp-fs-personer-update.json');
const TP_EXAMPLE = example('amqp-tp-course-update.json');
const CE_EXAMPLE = example('amqp-cloudevent-tp.json');

let db: TestDatabase;
let amqpFx: AmqpFixture;
const consumers: NotificationConsumer[] = [];

beforeAll(async () => {
  [db, amqpFx] = await Promise.all([createTestDatabase(), createAmqpFixture('consumer')]);
});
afterAll(async () => {
  await amqpFx?.close();
  await db?.drop();
});
afterEach(async () => {
  for (const c of consumers.splice(0)) await c.stop(2_000);
});

function startConsumer(overrides: Partial<ConsumerOptions> = {}): { consumer: NotificationConsumer; metrics: Metrics } {
  const metrics = createMetrics();
  const consumer = new NotificationConsumer({
    url: amqpFx.url,
    queue: amqpFx.queue,
    bindings: amqpFx.bindings,
    prefetch: 20,
    db: db.dataSource,
    logger: silentLogger,
    metrics,
    reconnectDelayMs: { initial: 50, max: 500 },
    dbRetryDelayMs: { initial: 20, max: 200 },
    ...overrides,
  });
  consumers.push(consumer);
  consumer.start();
  return { consumer, metrics };
}

const inboxRow = async (id: string) =>
  (await db.dataSource.query(`SELECT * FROM inbox WHERE notification_id = $1`, [id]))[0] as
    | Record<string, any>
    | undefined;
const metricValue = async (m: Metrics, name: string, labels: Record<string, string> = {}) => {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const matching = (metric?.values ?? []).filter((x) =>
    Object.entries(labels).every(([k, val]) => x.labels[k] === val),
  );
  return matching.reduce((sum, x) => sum + Number(x.value), 0);
};

/**
 * The test database, except that inbox inserts fail as a lost PostgreSQL connection would while
 * `down` is set; `attempts` counts the failed inserts.
 */
function flakyInboxDb(message: string, code: string): { queryable: Queryable; down: boolean; attempts: number } {
  const queryable: Queryable = {
    query(sql, params) {
      if (flaky.down && sql.includes('INSERT INTO inbox')) {
        flaky.attempts++;
        return Promise.reject(Object.assign(new Error(message), { code }));
      }
      return db.dataSource.query(sql, params);
    },
  };
  const flaky = { queryable, down: true, attempts: 0 };
  return flaky;
}

describe('NotificationConsumer', () => {
  it('declares the queue and its dead-letter queue as durable quorum queues, and the topic exchanges', async () => {
    const { consumer } = startConsumer();
    await consumer.whenConnected();
    expect(consumer.isConnected()).toBe(true);
    for (const q of [amqpFx.queue, `${amqpFx.queue}.dead`]) {
      await amqpFx.onFreshChannel((ch) => ch.checkQueue(q));
      // Redeclaring as a classic queue fails only if the queue is a quorum queue.
      const args = q === amqpFx.queue ? queueArguments(q) : {};
      const asClassic = amqpFx.onFreshChannel((ch) =>
        ch.assertQueue(q, { durable: true, arguments: { ...args, 'x-queue-type': 'classic' } }),
      );
      await expect(asClassic).rejects.toThrow(/PRECONDITION_FAILED.*x-queue-type/);
    }
    for (const e of [amqpFx.fsExchange, amqpFx.tpExchange]) {
      await amqpFx.onFreshChannel((ch) => ch.checkExchange(e));
      await expect(amqpFx.onFreshChannel((ch) => ch.assertExchange(e, 'direct', { durable: true }))).rejects.toThrow(
        /PRECONDITION_FAILED/,
      );
    }
  });

  it('stores every contract example in the inbox once, even when each is published twice', async () => {
    const { consumer, metrics } = startConsumer();
    await consumer.whenConnected();
    for (const e of [FS_EXAMPLE, TP_EXAMPLE, CE_EXAMPLE, FS_EXAMPLE, TP_EXAMPLE, CE_EXAMPLE]) {
      await amqpFx.publish(amqpFx.exchangeFor(e.routingKey), e.routingKey, e.body);
    }
    await eventually(async () => (await metricValue(metrics, 'kada_notifications_duplicate_total')) === 3, {
      what: 'three duplicates',
    });
    const rows = await db.dataSource.query(
      `SELECT notification_id, format, routing_key, state, action, person_id, semester, course_id, course_version,
         operation, body
         FROM inbox WHERE notification_id = ANY($1) ORDER BY format`,
      [[FS_EXAMPLE.body.jti, TP_EXAMPLE.body.jti, CE_EXAMPLE.body.id]],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        notification_id: CE_EXAMPLE.body.id,
        format: 'cloudevent',
        state: 'pending',
        action: 'course',
        semester: '26h',
        course_id: 'IN1000',
        course_version: '1',
      }),
      expect.objectContaining({
        notification_id: FS_EXAMPLE.body.jti,
        format: 'fs',
        state: 'pending',
        action: 'person',
        person_id: '56154',
        operation: 'update',
        routing_key: FS_EXAMPLE.routingKey,
      }),
      expect.objectContaining({
        notification_id: TP_EXAMPLE.body.jti,
        format: 'tp',
        state: 'pending',
        action: 'course',
        course_id: 'IN1000',
      }),
    ]);
    expect(rows[1].body).toEqual(FS_EXAMPLE.body);
    expect(await metricValue(metrics, 'kada_notifications_received_total', { format: 'fs' })).toBe(2);
    await eventually(async () => (await amqpFx.readyCount(amqpFx.queue)) === 0, { what: 'an empty queue' });
  });

  it('dead-letters every malformed message with x-kada-error and an errors row, and keeps consuming', async () => {
    const { consumer, metrics } = startConsumer();
    await consumer.whenConnected();
    const bad = loadBadNotifications();
    for (const c of bad) await amqpFx.publish(amqpFx.exchangeFor(c.routingKey), c.routingKey, c.body);
    const good = { ...FS_EXAMPLE.body, jti: 'after-the-bad-ones' };
    await amqpFx.publish(amqpFx.fsExchange, FS_EXAMPLE.routingKey, good);

    await eventually(() => inboxRow('after-the-bad-ones'), { what: 'the good message after the bad ones' });
    await eventually(
      async () => (await metricValue(metrics, 'kada_notifications_dead_lettered_total')) === bad.length,
      { what: 'all dead letters' },
    );

    const dead: { code: string; error: string; routingKey: string; body: Buffer }[] = [];
    await amqpFx.onFreshChannel(async (ch) => {
      for (;;) {
        const m = await ch.get(`${amqpFx.queue}.dead`, { noAck: true });
        if (!m) break;
        const h = m.properties.headers ?? {};
        dead.push({
          code: String(h['x-kada-error-code']),
          error: String(h['x-kada-error']),
          routingKey: String(h['x-kada-routing-key']),
          body: m.content,
        });
      }
    });
    expect(dead).toHaveLength(bad.length);
    // Messages are handled concurrently (prefetch), so match dead letters to cases by their body.
    for (const c of bad) {
      const d = dead.find((x) => x.body.equals(c.body) && x.routingKey === c.routingKey);
      expect(d, c.name).toBeDefined();
      expect(d!.code, c.name).toBe(c.expectCode);
      expect(d!.error, c.name).toMatch(new RegExp(`^${c.expectCode}: .+`));
    }
    const errors = await db.dataSource.query(`SELECT code, message, details FROM errors WHERE kind = 'dead_letter'`);
    expect(errors.map((e: { code: string }) => e.code).sort()).toEqual(bad.map((c) => c.expectCode).sort());
    const tooLarge = errors.find((e: { code: string }) => e.code === 'NOTIFICATION_TOO_LARGE');
    expect(tooLarge.details).toMatchObject({ routingKey: 'no.uio.fs.FS-prod.personer.update', bytes: 70000 });
    expect(tooLarge.message).toMatch(/dead-lettered: body is 70000 bytes/);
    // Nothing is left to be redelivered: each bad message was acknowledged after dead-lettering.
    await eventually(async () => (await amqpFx.readyCount(amqpFx.queue)) === 0, { what: 'an empty queue' });
  });

  it('records notifications kada does not act on as ignored, and counts them', async () => {
    const { consumer, metrics } = startConsumer();
    await consumer.whenConnected();
    await amqpFx.publish(amqpFx.fsExchange, 'no.uio.fs.FS-prod.emner.update', {
      sub: 'emner/IN1000',
      iss: 'FS-prod',
      jti: 'ignored-1',
      operation: 'update',
    });
    const row = (await eventually(() => inboxRow('ignored-1'), { what: 'the ignored notification' }))!;
    expect(row).toMatchObject({ state: 'ignored', action: 'ignored', error: 'FS resource emner is not used by kada' });
    expect(row.processed_at).toBeInstanceOf(Date);
    expect(await metricValue(metrics, 'kada_notifications_ignored_total', { reason: 'fs_resource_not_used' })).toBe(1);
  });

  it('keeps a message unacknowledged while the database is down, retries, and never drops it', async () => {
    const flaky = flakyInboxDb('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');
    const first = startConsumer({ db: flaky.queryable });
    await first.consumer.whenConnected();
    await amqpFx.publish(amqpFx.fsExchange, FS_EXAMPLE.routingKey, { ...FS_EXAMPLE.body, jti: 'db-down-1' });
    await eventually(() => flaky.attempts >= 3, { what: 'insert retries' });
    expect(await inboxRow('db-down-1')).toBeUndefined();

    // kada stops while the database is still down: the message goes back to the queue.
    await first.consumer.stop(500);
    await eventually(async () => (await amqpFx.readyCount(amqpFx.queue)) === 1, {
      what: 'the message back in the queue',
    });

    // A later consumer (the database is back) stores it.
    flaky.down = false;
    const second = startConsumer({ db: flaky.queryable });
    await second.consumer.whenConnected();
    const row = (await eventually(() => inboxRow('db-down-1'), { what: 'the stored message' }))!;
    expect(row.state).toBe('pending');
    await eventually(async () => (await amqpFx.readyCount(amqpFx.queue)) === 0, { what: 'an empty queue' });
  });

  it('stores the message once the database comes back while it waits', async () => {
    const flaky = flakyInboxDb('Connection terminated unexpectedly', '57P01');
    const { consumer } = startConsumer({ db: flaky.queryable });
    await consumer.whenConnected();
    await amqpFx.publish(amqpFx.fsExchange, FS_EXAMPLE.routingKey, { ...FS_EXAMPLE.body, jti: 'db-down-2' });
    await eventually(() => flaky.attempts >= 2, { what: 'insert retries' });
    flaky.down = false;
    await eventually(() => inboxRow('db-down-2'), { what: 'the stored message' });
    await eventually(async () => (await amqpFx.readyCount(amqpFx.queue)) === 0, { what: 'an empty queue' });
  });

  it('reconnects after the connection drops and consumes what was published meanwhile', async () => {
    const models: ChannelModel[] = [];
    const { consumer } = startConsumer({
      connect: async (url, o) => {
        const m = await amqp.connect(url, o);
        models.push(m);
        return m;
      },
    });
    await consumer.whenConnected();
    // Cut the TCP connection under the consumer, as a broker restart or a network failure would.
    (models[0]!.connection as unknown as { stream: { destroy(err: Error): void } }).stream.destroy(
      new Error('simulated network failure'),
    );
    await eventually(() => !consumer.isConnected(), { what: 'the consumer to notice' });
    await amqpFx.publish(amqpFx.fsExchange, FS_EXAMPLE.routingKey, { ...FS_EXAMPLE.body, jti: 'after-reconnect' });
    await consumer.whenConnected();
    expect(models.length).toBeGreaterThanOrEqual(2);
    await eventually(() => inboxRow('after-reconnect'), { what: 'the message published during the outage' });
  });

  it('redeclares its queue when an operator deletes it (the broker cancels the consumer)', async () => {
    const { consumer } = startConsumer();
    await consumer.whenConnected();
    await amqpFx.onFreshChannel((ch) => ch.deleteQueue(amqpFx.queue));
    await eventually(
      async () => (await amqpFx.onFreshChannel((ch) => ch.checkQueue(amqpFx.queue))).consumerCount === 1,
      {
        what: 'the queue to be back with a consumer',
      },
    );
    await amqpFx.publish(amqpFx.tpExchange, TP_EXAMPLE.routingKey, { ...TP_EXAMPLE.body, jti: 'after-redeclare' });
    await eventually(() => inboxRow('after-redeclare'), { what: 'a message through the redeclared queue' });
  });

  it('stops cleanly: no consumer left on the queue', async () => {
    const { consumer } = startConsumer();
    await consumer.whenConnected();
    await consumer.stop();
    expect(consumer.isConnected()).toBe(false);
    const q = await amqpFx.onFreshChannel((ch) => ch.checkQueue(amqpFx.queue));
    expect(q.consumerCount).toBe(0);
  });
});
