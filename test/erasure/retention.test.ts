import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pruneExpired } from '../../src/erasure/retention';
import { startRetentionTimer } from '../../src/erasure/retentionTimer';
import { silentLogger } from '../../src/log/logger';
import { markGone, upsertPerson } from '../../src/store/persons';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** KADA_RETENTION_DAYS: back-dated rows go, recent ones and anything still in use stay. */
describe('retention', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());
  beforeEach(async () => {
    await db.dataSource.query(
      `TRUNCATE persons, synced_events, jobs, errors, inbox, reconcile_runs, tp_courses, mailboxes`,
    );
  });

  const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
  const ctx = () => ({ dataSource: db.dataSource, logger: silentLogger });
  const ids = async (sql: string) => ((await q(sql)) as { id: string }[]).map((r) => String(r.id)).sort();

  async function person(id: string, opts: { goneDaysAgo?: number } = {}) {
    await upsertPerson(
      db.dataSource,
      { personId: id, firstName: `First${id}`, lastName: `Last${id}`, username: `u${id}`, email: `u${id}@uio.no` },
      `u${id}@uio.no`,
      'active',
    );
    if (opts.goneDaysAgo !== undefined) {
      await markGone(db.dataSource, id);
      await q(`UPDATE persons SET gone_at = now() - make_interval(days => $2) WHERE person_id = $1`, [
        id,
        opts.goneDaysAgo,
      ]);
    }
  }

  it('keeps gone_at with every change of status: set when a person goes, cleared when they come back', async () => {
    await person('1');
    const goneAt = async () => (await q(`SELECT gone_at FROM persons WHERE person_id = '1'`))[0].gone_at;
    expect(await goneAt()).toBeNull();
    await markGone(db.dataSource, '1');
    const first = await goneAt();
    expect(first).toBeInstanceOf(Date);
    await markGone(db.dataSource, '1');
    expect(await goneAt()).toEqual(first);
    await q(`UPDATE persons SET status = 'active' WHERE person_id = '1'`);
    expect(await goneAt()).toBeNull();
    await markGone(db.dataSource, '2');
    expect((await q(`SELECT gone_at FROM persons WHERE person_id = '2'`))[0].gone_at).toBeInstanceOf(Date);
  });

  it('erases persons gone longer than the retention; prunes old errors, dead letters, inbox rows, jobs', async () => {
    await person('100', { goneDaysAgo: 40 }); // erased
    await person('101', { goneDaysAgo: 10 }); // gone, but not long enough
    await person('102'); // active
    await person('103', { goneDaysAgo: 40 }); // gone long ago, but a queued job may bring them back
    await person('104', { goneDaysAgo: 40 }); // still has a recorded event: its removal has not gone through
    await q(`INSERT INTO jobs (person_id) VALUES ('103')`);
    await q(
      `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
                                  course_version) VALUES ('104', 'k', 'u104@uio.no', 'g', 'h', '26h', 'IN1000', '1')`,
    );
    await q(
      `INSERT INTO errors (kind, code, message, person_id, created_at) VALUES
         ('graph', 'OLD', 'old error of u100@uio.no', '100', now() - interval '31 days'),
         ('dead_letter', 'OLD_DL', 'notification dead-lettered', NULL, now() - interval '45 days'),
         ('graph', 'NEW', 'recent error', '102', now() - interval '2 days'),
         ('dead_letter', 'NEW_DL', 'notification dead-lettered', NULL, now())`,
    );
    await q(
      `INSERT INTO inbox (notification_id, format, body, state, action, person_id, received_at, processed_at) VALUES
         ('old-done', 'fs', '{}', 'processed', 'person', '102', now() - interval '40 days', now() - interval '40 days'),
         ('old-failed', 'fs', '{}', 'failed', 'person', '102', now() - interval '40 days', NULL),
         ('old-pending', 'fs', '{}', 'pending', 'person', '102', now() - interval '40 days', NULL),
         ('new-done', 'fs', '{}', 'processed', 'person', '102', now(), now())`,
    );
    await q(
      `INSERT INTO jobs (person_id, state, finished_at) VALUES
         ('102', 'done', now() - interval '40 days'), ('102', 'failed', now() - interval '35 days'),
         ('102', 'done', now() - interval '1 day')`,
    );
    await q(
      `INSERT INTO reconcile_runs (started_at, finished_at, last_person_id) VALUES
         (now() - interval '40 days', now() - interval '40 days', '100'), (now(), NULL, '102')`,
    );

    await q(
      `INSERT INTO tp_courses (semester, course_id, course_version, fetched_at, found, course) VALUES
         ('25h', 'IN1000', '1', now() - interval '40 days', true, '{}'),
         ('26h', 'IN1000', '1', now() - interval '40 days', true, '{}'),
         ('25v', 'IN1000', '1', now() - interval '1 day', true, '{}')`,
    );

    const r = await pruneExpired(ctx(), 30, { semesters: ['26h'] });
    // The old error of person 100 goes with them (personRows); the old dead letter by age.
    expect(r).toMatchObject({ skipped: false, personsErased: 1, errors: 1, inbox: 2, jobs: 2, reconcileRuns: 1 });
    expect(r.personRows).toMatchObject({ persons: 1, errors: 1 });
    expect(r.tpCourses).toBe(1);
    expect(await ids(`SELECT semester AS id FROM tp_courses`)).toEqual(['25v', '26h']);
    expect(await ids(`SELECT person_id AS id FROM persons`)).toEqual(['101', '102', '103', '104']);
    expect(await ids(`SELECT code AS id FROM errors`)).toEqual(['NEW', 'NEW_DL']);
    expect(await ids(`SELECT notification_id AS id FROM inbox`)).toEqual(['new-done', 'old-pending']);
    expect((await q(`SELECT count(*)::int AS n FROM jobs`))[0].n).toBe(2);
    expect(await ids(`SELECT last_person_id AS id FROM reconcile_runs`)).toEqual(['102']);
    // A second pass finds nothing more.
    expect(await pruneExpired(ctx(), 30)).toMatchObject({ personsErased: 0, errors: 0, inbox: 0, jobs: 0 });
    // With a shorter retention the person gone 10 days ago goes too.
    expect(await pruneExpired(ctx(), 7)).toMatchObject({ personsErased: 1 });
  });

  it('lets one process prune at a time: a second pass skips while the lock is held', async () => {
    await person('200', { goneDaysAgo: 40 });
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtext('kada:retention'))`);
      expect(await pruneExpired(ctx(), 30)).toMatchObject({ skipped: true, personsErased: 0 });
      await runner.query(`SELECT pg_advisory_unlock(hashtext('kada:retention'))`);
    } finally {
      await runner.release();
    }
    expect(await pruneExpired(ctx(), 30)).toMatchObject({ skipped: false, personsErased: 1 });
  });

  it('runs inside kada run on a timer, and `kada prune --json` runs one pass', async () => {
    await person('300', { goneDaysAgo: 40 });
    const timer = startRetentionTimer(ctx(), { days: 30, semesters: ['26h'] }, { firstAfterMs: 10, everyMs: 60_000 });
    await expect.poll(async () => (await q(`SELECT count(*)::int AS n FROM persons`))[0].n, { timeout: 5_000 }).toBe(0);
    await timer.stop();

    await person('301', { goneDaysAgo: 40 });
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      AMQP_URL: 'amqp://127.0.0.1:5672',
      TP_BASE_URL: 'http://127.0.0.1:9/tp',
      TP_API_KEY: 'tp-key',
      FS_BASE_URL: 'http://127.0.0.1:9/fs',
      FS_API_KEY: 'fs-key',
      AZURE_TENANT_ID: 'tenant',
      AZURE_CLIENT_ID: 'client',
      AZURE_CLIENT_SECRET: 'secret',
      KADA_INSTITUTION: 'uio',
      KADA_RETENTION_DAYS: '30',
    };
    const { stdout } = await run('node', [cli, 'prune', '--json'], { env });
    expect(JSON.parse(stdout)).toMatchObject({ skipped: false, retentionDays: 30, personsErased: 1 });
    expect((await q(`SELECT count(*)::int AS n FROM persons`))[0].n).toBe(0);
  });
});
