import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueuePerson, enqueuePersons } from '../../src/jobs/enqueue';
import { completeJob, failJob, heartbeat, reclaimExpired } from '../../src/jobs/finishJob';
import { getJob, jobCounts } from '../../src/jobs/jobStatus';
import { claimJob, takeJob } from '../../src/jobs/takeJob';
import { PRIORITY } from '../../src/jobs/types';
import { WorkerPool } from '../../src/jobs/workerPool';
import { JobWakeup } from '../../src/jobs/wakeup';
import { silentLogger } from '../../src/log/logger';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

describe('per-person job queue', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM jobs');
  });
  const db = () => t.dataSource;

  it('coalesces triggers into one queued job per person, raising its priority', async () => {
    const a = await enqueuePerson(db(), 'p1', { reason: 'fs:1' });
    const b = await enqueuePerson(db(), 'p1', { reason: 'fs:2' });
    const c = await enqueuePerson(db(), 'p1', { reason: 'admin', priority: PRIORITY.forced, force: true });
    expect(b).toBe(a);
    expect(c).toBe(a);
    const job = (await getJob(db(), a))!;
    expect(job).toMatchObject({ state: 'queued', priority: PRIORITY.forced, force: true });
    expect(job.reasons).toEqual(['admin', 'fs:2', 'fs:1']);
    expect(await enqueuePersons(db(), ['p1', 'p2', 'p2', 'p3'], { reason: 'tp:x' })).toBe(3);
    expect((await jobCounts(db())).queued).toBe(3);
  });

  it('takes the most urgent job first and never runs one person twice at once', async () => {
    await enqueuePerson(db(), 'low', { reason: 'r', priority: PRIORITY.reconcile });
    const urgent = await enqueuePerson(db(), 'urgent', { reason: 'r', priority: PRIORITY.forced });
    const first = (await takeJob(db(), 'w1', 60_000))!;
    expect(first.id).toBe(urgent);
    // a new trigger for the running person queues a second job, which must wait for the first
    const again = await enqueuePerson(db(), 'urgent', { reason: 'r2', priority: PRIORITY.forced });
    expect(again).not.toBe(urgent);
    const second = (await takeJob(db(), 'w2', 60_000))!;
    expect(second.personId).toBe('low');
    expect(await takeJob(db(), 'w3', 60_000)).toBeNull();
    expect(await claimJob(db(), again, 'w3', 60_000)).toBeNull();
    await completeJob(db(), first.id, 'w1', { ok: true });
    expect((await takeJob(db(), 'w3', 60_000))!.id).toBe(again);
  });

  it('retries transient failures later, fails for good after max attempts', async () => {
    const id = await enqueuePerson(db(), 'p', { reason: 'r', maxAttempts: 2 });
    const j1 = (await takeJob(db(), 'w', 60_000))!;
    expect(await failJob(db(), j1.id, 'w', 'TP down', { transient: true, retryInMs: 0 })).toBe('retrying');
    expect(await getJob(db(), id)).toMatchObject({ state: 'queued', attempts: 1, lastError: 'TP down' });
    const j2 = (await takeJob(db(), 'w', 60_000))!;
    expect(await failJob(db(), j2.id, 'w', 'TP still down', { transient: true, retryInMs: 0 })).toBe('failed');
    expect(await getJob(db(), id)).toMatchObject({ state: 'failed', attempts: 2 });
    const other = await enqueuePerson(db(), 'q', { reason: 'r' });
    const j3 = (await takeJob(db(), 'w', 60_000))!;
    expect(await failJob(db(), j3.id, 'w', 'bad credentials', { transient: false, retryInMs: 0 })).toBe('failed');
    expect((await getJob(db(), other))!.attempts).toBe(1);
  });

  it('merges a retry into a newer queued job of the same person, and the old id follows it', async () => {
    const first = await enqueuePerson(db(), 'p', { reason: 'r1', priority: PRIORITY.forced, force: true });
    const j = (await takeJob(db(), 'w', 60_000))!;
    const newer = await enqueuePerson(db(), 'p', { reason: 'r2' });
    expect(await failJob(db(), j.id, 'w', 'Graph 503', { transient: true, retryInMs: 0 })).toBe('merged');
    const followed = (await getJob(db(), first))!;
    expect(followed).toMatchObject({ id: first, state: 'queued', supersededBy: newer });
    expect(await getJob(db(), newer)).toMatchObject({ priority: PRIORITY.forced, force: true });
  });

  it('puts the job of a dead worker back, forced to reconcile', async () => {
    const id = await enqueuePerson(db(), 'p', { reason: 'r' });
    const j = (await takeJob(db(), 'dead-worker', 50))!;
    expect(j.id).toBe(id);
    await new Promise((r) => setTimeout(r, 120));
    expect(await heartbeat(db(), id, 'someone-else', 1000)).toBe(false);
    expect(await reclaimExpired(db())).toBe(1);
    expect(await getJob(db(), id)).toMatchObject({ state: 'queued', force: true });
    expect((await getJob(db(), id))!.reasons[0]).toBe('recovered after a crash');
  });

  it('a job that gives up leaves the person a last error and an entry in the error log', async () => {
    await t.dataSource.query(`DELETE FROM errors`);
    await enqueuePerson(db(), 'fails', { reason: 'r', maxAttempts: 2 });
    const pool = new WorkerPool({
      db: db(),
      concurrency: 1,
      handler: async () => {
        throw Object.assign(new Error('mailbox not found in Exchange'), { code: 'MailboxNotEnabledForRESTAPI' });
      },
      isTransient: () => true,
      retryDelayMs: () => 0,
      logger: silentLogger,
      pollMs: 50,
    });
    pool.start();
    const deadline = Date.now() + 10_000;
    while ((await jobCounts(db())).failed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await pool.stop(1_000);
    const [person] = await db().query(`SELECT last_error FROM persons WHERE person_id = 'fails'`);
    expect(person.last_error).toBe('[MailboxNotEnabledForRESTAPI] mailbox not found in Exchange');
    const errors: { code: string; message: string }[] = await db().query(
      `SELECT code, message FROM errors WHERE person_id = 'fails'`,
    );
    expect(errors.map((e) => e.code)).toEqual(['JOB_FAILED']); // the retry before it is not logged
    expect(errors[0]!.message).toContain('after 2 attempt(s)');
  });

  it('two pools on one database share the work and never process a person concurrently', async () => {
    const persons = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const active = new Set<string>();
    let overlaps = 0;
    const seen: string[] = [];
    const perPool = [0, 0];
    const handler = (pool: number) => async (job: { personId: string }) => {
      perPool[pool]!++;
      if (active.has(job.personId)) overlaps++;
      active.add(job.personId);
      seen.push(job.personId);
      await new Promise((r) => setTimeout(r, 15));
      active.delete(job.personId);
      return { ok: true };
    };
    const wakeups = [new JobWakeup(t.url, silentLogger), new JobWakeup(t.url, silentLogger)];
    const pools = wakeups.map(
      (wakeup, i) =>
        new WorkerPool({
          db: db(),
          wakeup,
          concurrency: 4,
          handler: handler(i),
          isTransient: () => false,
          logger: silentLogger,
          workerId: `pool${i}`,
          pollMs: 200,
        }),
    );
    await Promise.all(wakeups.map((w) => w.start()));
    pools.forEach((p) => p.start());
    // every person triggered three times, spread over the run: coalesced or re-run, never concurrently
    for (let round = 0; round < 3; round++) {
      await enqueuePersons(db(), persons, { reason: `round ${round}` });
      await new Promise((r) => setTimeout(r, 30));
    }
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const c = await jobCounts(db());
      if (c.queued === 0 && c.running === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(pools.map((p) => p.stop(1_000)));
    await Promise.all(wakeups.map((w) => w.stop()));
    expect(overlaps).toBe(0);
    expect(new Set(seen)).toEqual(new Set(persons));
    expect(perPool[0]).toBeGreaterThan(0);
    expect(perPool[1]).toBeGreaterThan(0);
    expect(await jobCounts(db())).toMatchObject({ queued: 0, running: 0, failed: 0 });
  });
});
