import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../db/migrations';
import { migrate } from '../../src/db/dataSource';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => db?.drop());

  it('`kada migrate` applies every table, and a second run is a no-op', async () => {
    const first = await run('node', [cli, 'migrate', '--json'], { env: { ...process.env, DATABASE_URL: db.url } });
    expect(JSON.parse(first.stdout)).toEqual({ applied: migrations.map((M) => new M().name) });
    const tables = await db.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(
      expect.arrayContaining([
        'delete_guard_hours',
        'errors',
        'event_generations',
        'held_deletes',
        'inbox',
        'jobs',
        'kada_migrations',
        'mailboxes',
        'persons',
        'process_stats',
        'rooms',
        'synced_events',
        'tp_courses',
        'wipe_sightings',
      ]),
    );
    const second = await run('node', [cli, 'migrate'], { env: { ...process.env, DATABASE_URL: db.url } });
    expect(second.stdout.trim()).toBe('database is up to date');
    expect(await migrate(db.dataSource)).toEqual([]);
  });

  it('keeps one queued job per person', async () => {
    await db.dataSource.query(`INSERT INTO jobs (person_id) VALUES ('1')`);
    await expect(db.dataSource.query(`INSERT INTO jobs (person_id) VALUES ('1')`)).rejects.toThrow(
      /jobs_one_queued_per_person/,
    );
  });

  it('`kada migrate` without DATABASE_URL exits 1 naming the variable', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const err = await run('node', [cli, 'migrate'], { env }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('DATABASE_URL is required');
  });

  it('bad usage exits 2', async () => {
    const err = await run('node', [cli, 'no-such-command']).then(
      () => null,
      (e: { code: number }) => e,
    );
    expect(err?.code).toBe(2);
  });
});
