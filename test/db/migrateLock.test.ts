import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { withAdvisoryLock } from '../../src/db/advisoryLock';
import { migrations } from '../../db/migrations';
import { CLI } from '../../testkit/support/kadaProcess';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

const run = promisify(execFile);

/** Two `kada migrate` at once on a fresh database: one applies everything, the other waits and finds nothing. */
describe('migrations under an advisory lock', () => {
  const dbs: TestDatabase[] = [];
  const fresh = async () => {
    const db = await createTestDatabase({ migrate: false });
    dbs.push(db);
    return db;
  };
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });
  const migrateCli = (url: string) =>
    run(process.execPath, [CLI, 'migrate', '--json'], { env: { ...process.env, DATABASE_URL: url } }).then(
      (r) => JSON.parse(r.stdout).applied as string[],
    );

  it('two concurrent `kada migrate` runs both succeed and apply each migration once', async () => {
    for (let round = 0; round < 2; round++) {
      const db = await fresh();
      const results = await Promise.all([migrateCli(db.url), migrateCli(db.url), migrateCli(db.url)]);
      const all = migrations.map((M) => new M().name);
      // every migration applied by exactly one of the runs
      expect(results.flat().sort()).toEqual([...all].sort());
      const rows = await db.dataSource.query('SELECT name FROM kada_migrations ORDER BY id');
      expect(rows.map((r: { name: string }) => r.name)).toEqual(all);
    }
  });

  it('a second `kada migrate` waits while another session holds the lock', async () => {
    const db = await fresh();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const holder = withAdvisoryLock(db.dataSource, 'migrate', { wait: true, application: 'test holder' }, () => held);
    await new Promise((r) => setTimeout(r, 200));
    let finished = false;
    const second = migrateCli(db.url).then((applied) => {
      finished = true;
      return applied;
    });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(finished).toBe(false);
    release();
    await holder;
    expect((await second).length).toBe(migrations.length);
  });
});
