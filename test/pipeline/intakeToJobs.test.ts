import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Institution } from '../../testkit/institution/institution';
import type { SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { NotificationConsumer } from '../../src/intake/consumer';
import { PRIORITY } from '../../src/jobs/types';
import { silentLogger } from '../../src/log/logger';
import type { Metrics } from '../../src/observability/metrics';
import type { Planner } from '../../src/planner/planner';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';
import { startSources } from '../sources/fixture';
import { createAmqpFixture, eventually, type AmqpFixture } from '../intake/amqpFixture';
import {
  affectedByCourse,
  emulatorPlanner,
  fsPersonMessage,
  jobRows,
  tpCourseMessage,
} from '../planner/plannerFixture';

/**
 * Broker -> consumer -> inbox -> planner -> jobs, in one process against the real RabbitMQ and
 * PostgreSQL and the TP/FS emulator. No workers run, so the queued jobs can be counted.
 */

const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };

let db: TestDatabase;
let amqpFx: AmqpFixture;
let institution: Institution;
let emulator: SourceEmulator;
let consumer: NotificationConsumer;
let planner: Planner;
let metrics: Metrics;

beforeAll(async () => {
  [db, amqpFx, { institution, emulator }] = await Promise.all([
    createTestDatabase(),
    createAmqpFixture('pipeline'),
    startSources({ students: 150 }),
  ]);
  // A generous debounce, so the burst below is certainly inside one window even on a busy machine.
  ({ planner, metrics } = emulatorPlanner(db.dataSource, emulator, { debounceMs: 1_500, pollMs: 200 }));
  consumer = new NotificationConsumer({
    url: amqpFx.url,
    queue: amqpFx.queue,
    bindings: amqpFx.bindings,
    prefetch: 50,
    db: db.dataSource,
    logger: silentLogger,
    metrics,
    onStored: () => planner.wake(),
  });
  planner.start();
  consumer.start();
  await consumer.whenConnected();
});
afterAll(async () => {
  await consumer?.stop();
  await planner?.stop();
  await emulator?.close();
  await amqpFx?.close();
  await db?.drop();
});
beforeEach(() => emulator.resetStats());

const allPlanned = async (n: number) => {
  const [r] = await db.dataSource.query(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'pending')::int AS pending FROM inbox`,
  );
  return r.total === n && r.pending === 0;
};

describe('notification pipeline (broker to jobs)', () => {
  it('a published person notification becomes one job', async () => {
    const m = fsPersonMessage('56154');
    await amqpFx.publish(amqpFx.fsExchange, m.routingKey, m.body);
    await eventually(() => allPlanned(1), { what: 'the notification to be planned' });
    expect(await jobRows(db.dataSource)).toEqual([
      { person_id: '56154', state: 'queued', priority: PRIORITY.fill, reasons: [`fs:${m.body.jti}`] },
    ]);
  });

  it('200 TP notifications for one course within a second: one TP read, one job per affected person', async () => {
    await db.dataSource.query(`TRUNCATE inbox, jobs`);
    const messages = Array.from({ length: 200 }, () => tpCourseMessage(IN1000));
    for (const m of messages)
      amqpFx.publisher.publish(amqpFx.tpExchange, m.routingKey, Buffer.from(JSON.stringify(m.body)), {
        persistent: true,
      });
    // The broker redelivers and publishers retry: the same notifications again change nothing.
    for (const m of messages.slice(0, 20))
      amqpFx.publisher.publish(amqpFx.tpExchange, m.routingKey, Buffer.from(JSON.stringify(m.body)), {
        persistent: true,
      });
    await amqpFx.publisher.waitForConfirms();

    await eventually(() => allPlanned(200), { what: 'all 200 notifications to be planned', timeoutMs: 30_000 });
    expect(emulator.courseReads(IN1000)).toBe(1);
    const jobs = await jobRows(db.dataSource);
    expect(jobs.map((j) => j.person_id)).toEqual(affectedByCourse(institution, IN1000));
    expect(jobs.every((j) => j.state === 'queued')).toBe(true);
    const dupes = async () =>
      (await metrics.registry.getSingleMetric('kada_notifications_duplicate_total')!.get()).values[0]?.value;
    await eventually(async () => (await dupes()) === 20, { what: '20 duplicates dropped' });
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM inbox`)).toEqual([{ n: 200 }]);
  });
});
