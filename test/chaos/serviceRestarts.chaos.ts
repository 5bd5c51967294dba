import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../intake/amqpFixture';
import { ChaosWorld, CLEAN, cleanVerdict, printFigures, sleep } from './chaosWorld';

/**
 * Chaos, part 2 (only in `npm run chaos`): RabbitMQ and PostgreSQL are restarted while two
 * `kada run` replicas are in the middle of a fan-out and changes keep being published. Neither
 * replica may crash, no notification may be lost, and the calendars must end up exactly right.
 *
 * Restarting the servers would break every other test file using them, so this file is not a
 * *.test.ts (the normal `npm test` never picks it up), and it refuses to run unless scripts/chaos.sh
 * gave it servers of its own.
 */

const run = promisify(execFile);
const SERVICES = path.resolve(__dirname, '../../scripts/services.sh');
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
let w: ChaosWorld;

async function services(command: 'restart-rabbitmq' | 'restart-postgres'): Promise<number> {
  const started = Date.now();
  await run('bash', [SERVICES, command], { env: process.env, timeout: 180_000 });
  return Math.round((Date.now() - started) / 1000);
}

/** Keeps changing the institution and publishing, through the outage, until stopped. */
function trafficDuring(): { stop(): Promise<number> } {
  let running = true;
  let waves = 0;
  const loop = (async () => {
    while (running) {
      await w.mutate(1);
      if (w.rnd.chance(0.2)) await w.publishBad();
      waves++;
      await sleep(300);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return waves;
    },
  };
}

beforeAll(async () => {
  if (process.env.KADA_CHAOS_OWN_SERVICES !== '1') {
    throw new Error(
      'this file restarts PostgreSQL and RabbitMQ: run it with `npm run chaos`, which gives it servers of its own',
    );
  }
  w = await ChaosWorld.start({ label: 'restart', seed: SEED, students: 120, graphLatencyMs: 3 });
  console.log(`chaos seed ${SEED} (replay with CHAOS_SEED=${SEED})`);
});
afterAll(async () => {
  await w?.close();
});

describe('chaos: RabbitMQ and PostgreSQL restarted under load (npm run chaos)', () => {
  it('both replicas survive a broker and a database restart mid fan-out; calendars exact, nothing lost', async () => {
    w.seedUserEvents(15);
    const replicas = [await w.startKada(), await w.startKada()];
    await Promise.all(replicas.map((p) => p.waitReady()));
    await w.fanOutAllCourses();
    const underWay = async () => {
      const [r] = await w.db.query(`SELECT count(*) FILTER (WHERE state = 'running')::int AS running FROM jobs`);
      return r.running >= 1;
    };
    await eventually(underWay, { what: 'the fan-out to be under way', timeoutMs: 120_000 });

    let traffic = trafficDuring();
    const brokerSeconds = await services('restart-rabbitmq');
    const wavesDuringBroker = await traffic.stop();
    await Promise.all(replicas.map((p) => p.waitReady(120_000)));

    // More work, then the database goes away under it.
    await w.mutate(10);
    await w.mutateCreates();
    await eventually(underWay, { what: 'work to be under way again', timeoutMs: 120_000 });
    traffic = trafficDuring();
    const databaseSeconds = await services('restart-postgres');
    const wavesDuringDatabase = await traffic.stop();
    await Promise.all(replicas.map((p) => p.waitReady(120_000)));

    const calm = Date.now();
    await w.waitForQuiet(300_000);
    const f = await w.figures();
    printFigures(`chaos: RabbitMQ and PostgreSQL restarts under two kada run replicas (seed ${SEED})`, f, {
      'RabbitMQ restart (s)': brokerSeconds,
      'PostgreSQL restart (s)': databaseSeconds,
      'changes published during the restarts': wavesDuringBroker + wavesDuringDatabase,
      'seconds from last restart to quiet': Math.round((Date.now() - calm) / 1000),
    });
    expect(
      replicas.every((p) => p.alive()),
      'no replica crashed',
    ).toBe(true);
    expect(wavesDuringBroker + wavesDuringDatabase).toBeGreaterThan(0);
    expect(cleanVerdict(f)).toEqual(CLEAN);
  }, 900_000);
});
