import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../src/desired/eventKey';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { enqueuePersons } from '../../src/jobs/enqueue';
import { PRIORITY } from '../../src/jobs/types';
import { startHarness, type Harness } from '../../testkit/support/harness';
import { killHard, startKada, type KadaChild } from '../../testkit/support/kadaProcess';
import { createAmqpFixture, eventually, type AmqpFixture } from '../intake/amqpFixture';
import { amqpEnv } from './pipelineFixture';

/**
 * The installation's Outlook budget with real `kada run` processes (the built CLI): two replicas
 * filling calendars together never have more than GRAPH_CONCURRENCY requests in flight at Graph
 * (the emulator's limit is set far above it so that it counts instead of refusing), and a replica
 * killed while it holds slots gives them back when its leases expire (2 x GRAPH_TIMEOUT_MS).
 */

const SEMESTER = '26h';
let h: Harness;
let fx: AmqpFixture;
const children: KadaChild[] = [];

beforeAll(async () => {
  fx = await createAmqpFixture('budget');
  h = await startHarness({
    seed: 16,
    students: 24,
    noContext: true,
    microsoft: { latencyMs: 30, concurrencyLimit: 1_000 },
    env: { ...amqpEnv(fx), GRAPH_CONCURRENCY: '4', GRAPH_TIMEOUT_MS: '1000', KADA_JOB_LEASE_MS: '3000' },
  });
});
afterAll(async () => {
  for (const c of children) await killHard(c);
  await h?.close();
  await fx?.close();
});

async function replica(): Promise<KadaChild> {
  const c = await startKada(h.env, { KADA_WORKERS: '6' });
  children.push(c);
  await c.waitReady();
  return c;
}

const db = () => h.db.dataSource;
const students = () => h.institution.students().filter((s) => s.epost);

async function idle(): Promise<boolean> {
  const [r] = await db().query(`SELECT count(*)::int AS n FROM jobs WHERE state IN ('queued', 'running')`);
  return r.n === 0;
}

function expectCalendars(ids: string[]) {
  for (const id of ids) {
    const mailbox = h.institution.person(id)!.epost!;
    const keys = h.microsoft.graph
      .events(mailbox)
      .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio')
      .map((e) => e.extendedProperties[KEY_PROP]!)
      .sort();
    const want = h.institution
      .timetableOf(id, SEMESTER)
      .map((t) => eventKey(t.course, t.eventid))
      .sort();
    expect(keys, `calendar of ${id}`).toEqual(want);
  }
}

describe('one Graph budget across kada run replicas', () => {
  it('two replicas filling at once never have more than 4 Outlook requests in flight together', async () => {
    const [a, b] = [await replica(), await replica()];
    const first = students()
      .slice(0, 12)
      .map((s) => s.personlopenummer);
    h.microsoft.graph.resetStats();
    await enqueuePersons(db(), first, { reason: 'test: fill', priority: PRIORITY.reconcile });
    // Who holds slots, sampled while the fill runs: the leases never add up to more than the budget.
    const holders = new Set<number>();
    let mostLeased = 0;
    await eventually(
      async () => {
        const rows = await db().query(
          `SELECT split_part(holder, ':', 2)::int AS pid, slots FROM graph_leases
            WHERE expires_at > now() AND slots > 0`,
        );
        for (const r of rows) holders.add(r.pid);
        mostLeased = Math.max(
          mostLeased,
          rows.reduce((n: number, r: { slots: number }) => n + r.slots, 0),
        );
        return idle();
      },
      { timeoutMs: 120_000, what: 'the fill to finish' },
    );
    const s = h.microsoft.graph.stats();
    expect(s.writes.create).toBeGreaterThan(500);
    expect(s.throttled).toBe(0);
    expect(s.maxConcurrency).toBe(4);
    // Both replicas held slots: the 4 were shared between them, not one replica's alone.
    expect([...holders].sort()).toEqual([a.pid, b.pid].sort());
    expect(mostLeased).toBeLessThanOrEqual(4);
    expectCalendars(first);
  });

  it('a replica killed while it holds slots gives them back when its leases expire', async () => {
    const [a] = children;
    const rest = students()
      .slice(12)
      .map((s) => s.personlopenummer);
    h.microsoft.graph.resetStats();
    await enqueuePersons(db(), rest, { reason: 'test: fill', priority: PRIORITY.reconcile });
    const leasesOf = async (pid: number) =>
      (
        await db().query(
          `SELECT coalesce(sum(slots), 0)::int AS n FROM graph_leases WHERE holder LIKE $1 AND expires_at > now()`,
          [`%:${pid}:%`],
        )
      )[0].n as number;
    await eventually(async () => (await leasesOf(a!.pid)) > 0, { timeoutMs: 60_000, what: 'a lease of replica A' });
    await killHard(a!);
    const killedAt = Date.now();
    // The killed replica's slots count until its leases expire, then the survivor finishes its jobs.
    await eventually(async () => (await leasesOf(a!.pid)) === 0, { timeoutMs: 10_000, what: 'the leases to expire' });
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await eventually(idle, { timeoutMs: 180_000, what: 'the survivor to finish' });
    const s = h.microsoft.graph.stats();
    expect(s.maxConcurrency).toBeLessThanOrEqual(4);
    expect(s.throttled).toBe(0);
    expectCalendars(students().map((x) => x.personlopenummer));
  });
});
