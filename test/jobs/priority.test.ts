import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enqueuePerson, enqueuePersons } from '../../src/jobs/enqueue';
import { completeJob } from '../../src/jobs/finishJob';
import { getJob, queuedByPriority } from '../../src/jobs/jobStatus';
import { NEXT_JOB, nextJob, takeJob } from '../../src/jobs/takeJob';
import { PRIORITY, priorityClass } from '../../src/jobs/types';
import { WorkerPool } from '../../src/jobs/workerPool';
import { silentLogger } from '../../src/log/logger';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

/** The order of work (service.md): classes first, then age; bulk work ages past fresh changes in days. */
describe('job priorities', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.drop());
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM jobs');
  });
  const db = () => t.dataSource;
  const takeAll = async () => {
    const order: string[] = [];
    for (;;) {
      const j = await takeJob(db(), 'w', 60_000);
      if (!j) return order;
      order.push(j.personId);
      await completeJob(db(), j.id, 'w', null);
    }
  };
  const age = (personId: string, hours: number) =>
    db().query(
      `UPDATE jobs SET run_at = run_at - make_interval(hours => $2) WHERE person_id = $1 AND state = 'queued'`,
      [personId, hours],
    );

  it('takes rebuilds, then near changes, then other changes, then fills and reconcile, then later weeks', async () => {
    // queued in the reverse order, so arrival order alone would give the opposite answer
    await enqueuePersons(db(), ['rest1', 'rest2'], { reason: 'later weeks', priority: PRIORITY.fillRest });
    await enqueuePerson(db(), 'reconcile', { reason: 'reconcile run', priority: PRIORITY.reconcile, force: true });
    await enqueuePersons(db(), ['fill1', 'fill2'], { reason: 'enqueue-course', priority: PRIORITY.fill });
    await enqueuePerson(db(), 'other', { reason: 'tp:far', priority: PRIORITY.notification });
    await enqueuePerson(db(), 'near', { reason: 'tp:near', priority: PRIORITY.nearChange });
    await enqueuePerson(db(), 'rebuild', { reason: 'admin', priority: PRIORITY.forced, force: true });
    expect(await queuedByPriority(db())).toEqual({ rebuild: 1, nearChange: 1, change: 1, fill: 3, fillRest: 2 });
    expect(await takeAll()).toEqual(['rebuild', 'near', 'other', 'reconcile', 'fill1', 'fill2', 'rest1', 'rest2']);
  });

  it('ages bulk work so it never starves, yet a fill of hours stays behind changes made during it', async () => {
    await enqueuePerson(db(), 'fill-3h', { reason: 'fill', priority: PRIORITY.fill });
    await age('fill-3h', 3);
    await enqueuePerson(db(), 'fill-5d', { reason: 'fill', priority: PRIORITY.fill });
    await age('fill-5d', 5 * 24);
    await enqueuePerson(db(), 'fresh-change', { reason: 'tp:far', priority: PRIORITY.notification });
    await enqueuePerson(db(), 'fresh-near', { reason: 'tp:near', priority: PRIORITY.nearChange });
    await enqueuePerson(db(), 'rest-2d', { reason: 'later weeks', priority: PRIORITY.fillRest });
    await age('rest-2d', 2 * 24);
    await enqueuePerson(db(), 'fill-now', { reason: 'fill', priority: PRIORITY.fill });
    // 5 days of waiting (+120) lift a fill (200) above a fresh change (300) but not a near change (400);
    // two days (+48) do not lift later weeks (100) above a fresh fill (200).
    expect(await takeAll()).toEqual(['fresh-near', 'fill-5d', 'fresh-change', 'fill-3h', 'fill-now', 'rest-2d']);
  });

  it('a coalesced job keeps its most urgent reason, and a more urgent one makes a waiting retry due', async () => {
    const id = await enqueuePerson(db(), 'p', { reason: 'enqueue-course', priority: PRIORITY.fill });
    await db().query(`UPDATE jobs SET run_at = now() + interval '10 minutes' WHERE id = $1`, [id]);
    expect(await takeJob(db(), 'w', 60_000)).toBeNull();
    expect(await enqueuePersons(db(), ['p'], { reason: 'tp:near', priority: PRIORITY.nearChange })).toBe(1);
    expect(await enqueuePerson(db(), 'p', { reason: 'later weeks', priority: PRIORITY.fillRest })).toBe(id);
    const job = (await getJob(db(), id))!;
    expect(job.priority).toBe(PRIORITY.nearChange);
    expect(priorityClass(job.priority)).toBe('nearChange');
    expect(job.reasons).toEqual(['later weeks', 'tp:near', 'enqueue-course']);
    expect((await takeJob(db(), 'w', 60_000))?.id).toBe(id);
  });

  it("holds the later weeks of a fill while a fill's first pass runs, but not changes", async () => {
    await enqueuePerson(db(), 'fill', { reason: 'fill', priority: PRIORITY.fill });
    await enqueuePerson(db(), 'rest', { reason: 'later weeks', priority: PRIORITY.fillRest });
    const fill = (await takeJob(db(), 'w1', 60_000))!;
    expect(fill.personId).toBe('fill');
    expect(await takeJob(db(), 'w2', 60_000)).toBeNull();
    await enqueuePerson(db(), 'change', { reason: 'tp:far', priority: PRIORITY.notification });
    expect((await takeJob(db(), 'w2', 60_000))?.personId).toBe('change');
    await completeJob(db(), fill.id, 'w1', null);
    expect((await takeJob(db(), 'w1', 60_000))?.personId).toBe('rest');
  });

  it('does not hold the later weeks for a reconcile (a forced job of fill class writes all weeks)', async () => {
    await enqueuePerson(db(), 'walked', { reason: 'reconcile run 1', priority: PRIORITY.reconcile, force: true });
    await enqueuePerson(db(), 'rest', { reason: 'later weeks', priority: PRIORITY.fillRest });
    expect((await takeJob(db(), 'w1', 60_000))?.personId).toBe('walked');
    expect((await takeJob(db(), 'w2', 60_000))?.personId).toBe('rest');
  });

  it('takes from the rank index with 100,000 jobs queued', async () => {
    await db().query(
      `INSERT INTO jobs (person_id, priority, reasons)
       SELECT 'bulk' || g, CASE WHEN g % 10 = 0 THEN ${PRIORITY.fillRest} ELSE ${PRIORITY.fill} END, ARRAY['fill']
         FROM generate_series(1, 100000) g`,
    );
    await enqueuePerson(db(), 'near', { reason: 'tp:near', priority: PRIORITY.nearChange });
    await db().query('ANALYZE jobs');
    const plan: { 'QUERY PLAN': string }[] = await db().query(`EXPLAIN ${NEXT_JOB}`);
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Scan using jobs_rank_idx/);
    expect(text).not.toMatch(/Sort/);
    const urgent: { 'QUERY PLAN': string }[] = await db().query(`EXPLAIN ${nextJob(true)}`);
    expect(urgent.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using jobs_urgent_idx/);
    expect((await takeJob(db(), 'w', 60_000, true))?.personId).toBe('near');
    expect(await takeJob(db(), 'w2', 60_000, true)).toBeNull();
    expect(await queuedByPriority(db())).toMatchObject({ fill: 90_000, fillRest: 10_000 });
  });

  it("half of a pool's loops keep taking changes while long fill jobs hold all the others", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    const pool = new WorkerPool({
      db: db(),
      concurrency: 4,
      pollMs: 20,
      isTransient: () => false,
      logger: silentLogger,
      handler: async (job) => {
        ran.push(job.personId);
        if (job.personId.startsWith('fill')) await held;
      },
    });
    await enqueuePersons(db(), ['fill1', 'fill2', 'fill3', 'fill4', 'fill5'], {
      reason: 'fill',
      priority: PRIORITY.fill,
    });
    pool.start();
    try {
      await waitFor(async () => (await db().query(`SELECT 1 FROM jobs WHERE state = 'running'`)).length === 2);
      // Two fill jobs run (the two bulk loops); the urgent loops leave the other fills queued.
      expect(ran.sort()).toEqual(['fill1', 'fill2']);
      await enqueuePerson(db(), 'change', { reason: 'tp:near', priority: PRIORITY.nearChange });
      pool.wakeAll();
      await waitFor(async () => (await getJobByPerson('change'))?.state === 'done');
      expect(ran).toContain('change');
      expect(ran.filter((p) => p.startsWith('fill'))).toHaveLength(2);
    } finally {
      release();
      await pool.stop(5_000);
    }
  });

  const getJobByPerson = async (personId: string) =>
    (await db().query(`SELECT state FROM jobs WHERE person_id = $1 ORDER BY id DESC LIMIT 1`, [personId]))[0] as
      | { state: string }
      | undefined;
  const waitFor = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
});
