import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIORITY } from '../../src/jobs/types';
import { databaseGauges } from '../../src/observability/databaseGauges';
import { createMetrics } from '../../src/observability/metrics';
import type { Queryable } from '../../src/store/queryable';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

/** The database-derived metrics: what they read, how often, and that an index answers every part. */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

/** The database, counting the statements sent through it. */
function counting(): Queryable & { count: number } {
  const q = {
    count: 0,
    query: (sql: string, params?: unknown[]) => {
      q.count++;
      return db.dataSource.query(sql, params);
    },
  };
  return q;
}

async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string> = {}) {
  const got = await metrics.registry.getSingleMetric(name)!.get();
  return got.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('database gauges', () => {
  it('export queue depth by priority and state, inbox lag, held deletions and the last good reconcile', async () => {
    const q = db.dataSource;
    await q.query(
      `INSERT INTO jobs (person_id, priority) VALUES ('1', ${PRIORITY.notification}), ('2', ${PRIORITY.notification}),
         ('3', ${PRIORITY.reconcile}), ('4', 42);
       INSERT INTO jobs (person_id, state, priority) VALUES ('5', 'running', 0);
       INSERT INTO jobs (person_id, state, priority, finished_at) VALUES ('6', 'done', 0, now());
       INSERT INTO inbox (notification_id, format, body, received_at) VALUES ('a', 'fs', '{}', now() - interval '90 s');
       INSERT INTO inbox (notification_id, format, body, state) VALUES ('b', 'fs', '{}', 'processed');
       INSERT INTO held_deletes (person_id, graph_event_id, mailbox, key)
         VALUES ('1', 'e1', 'm', 'k'), ('1', 'e2', 'm', 'k');
       INSERT INTO wipe_sightings (kind, subject) VALUES ('course', 'IN1000');
       -- the newest finished run failed half its persons (Graph down): not a success; the one before was
       INSERT INTO reconcile_runs (started_at, finished_at, persons_done, persons_failed) VALUES
         ('2026-11-01T01:00Z', '2026-11-01T02:00Z', 1000, 3),
         ('2026-11-02T01:00Z', '2026-11-02T02:00Z', 1000, 500),
         ('2026-11-03T01:00Z', NULL, 10, 0);`,
    );
    const metrics = createMetrics();
    await databaseGauges(q, metrics, { cacheMs: 0 }).refresh();
    expect(await value(metrics, 'kada_jobs_queued', { priority: 'change' })).toBe(2);
    expect(await value(metrics, 'kada_jobs_queued', { priority: 'fill' }), 'reconcile shares the fill class').toBe(1);
    expect(await value(metrics, 'kada_jobs_queued', { priority: 'rebuild' })).toBe(0);
    expect(await value(metrics, 'kada_jobs_queued', { priority: 'fillRest' }), 'any value by its class').toBe(1);
    expect(await value(metrics, 'kada_jobs_queued', { priority: '42' }), 'a label per class only').toBeUndefined();
    expect(await value(metrics, 'kada_jobs', { state: 'queued' })).toBe(4);
    expect(await value(metrics, 'kada_jobs', { state: 'running' })).toBe(1);
    expect(await value(metrics, 'kada_inbox_pending')).toBe(1);
    expect(await value(metrics, 'kada_inbox_lag_seconds')).toBeGreaterThanOrEqual(89);
    expect(await value(metrics, 'kada_deletes_held')).toBe(2);
    expect(await value(metrics, 'kada_wipes_pending', { kind: 'course' })).toBe(1);
    expect(await value(metrics, 'kada_reconcile_last_success_timestamp_seconds')).toBe(
      Date.parse('2026-11-01T02:00Z') / 1000,
    );
    expect(await value(metrics, 'kada_database_up')).toBe(1);

    // A priority whose jobs are gone reads 0 at the next refresh, not its old value.
    await q.query(`DELETE FROM jobs WHERE priority = $1`, [PRIORITY.reconcile]);
    await databaseGauges(q, metrics, { cacheMs: 0 }).refresh();
    expect(await value(metrics, 'kada_jobs_queued', { priority: 'fill' })).toBe(0);
    await q.query(`DELETE FROM jobs; DELETE FROM inbox; DELETE FROM held_deletes; DELETE FROM wipe_sightings`);
  });

  it('refresh at most once per cache interval, and concurrent scrapes share one refresh', async () => {
    const conn = counting();
    let clock = 1_000_000;
    const gauges = databaseGauges(conn, createMetrics(), { cacheMs: 15_000, now: () => clock });
    await Promise.all([gauges.refresh(), gauges.refresh(), gauges.refresh()]);
    expect(conn.count).toBe(1);
    clock += 14_999;
    await gauges.refresh();
    expect(conn.count).toBe(1);
    clock += 1;
    await gauges.refresh();
    expect(conn.count).toBe(2);
  });

  it('keep the last values and say the database is down when a refresh fails', async () => {
    const metrics = createMetrics();
    let fail = false;
    const flaky: Queryable = {
      query: (sql: string, params?: unknown[]) =>
        fail ? Promise.reject(new Error('connection refused')) : db.dataSource.query(sql, params),
    };
    await db.dataSource.query(
      `INSERT INTO held_deletes (person_id, graph_event_id, mailbox, key) VALUES ('9', 'e', 'm', 'k')`,
    );
    const errors: string[] = [];
    const gauges = databaseGauges(flaky, metrics, { cacheMs: 0, onError: (e) => errors.push(e.message) });
    await gauges.refresh();
    fail = true;
    await gauges.refresh();
    expect(await value(metrics, 'kada_database_up')).toBe(0);
    expect(await value(metrics, 'kada_deletes_held')).toBe(1);
    expect(errors).toEqual(['connection refused']);
    fail = false;
    await gauges.refresh();
    expect(await value(metrics, 'kada_database_up')).toBe(1);
    await db.dataSource.query(`DELETE FROM held_deletes`);
  });

  it('are answered from indexes: no sequential scan of jobs or inbox, and the errors table is not read', async () => {
    const q = db.dataSource;
    // Enough rows that the plan is the one of a real installation, then forbid what an index could replace.
    await q.query(
      `INSERT INTO jobs (person_id, state, finished_at) SELECT 'p' || g, 'done', now() FROM generate_series(1, 5000) g;
       INSERT INTO inbox (notification_id, format, body, state)
         SELECT 'n' || g, 'fs', '{}', 'processed' FROM generate_series(1, 5000) g;
       ANALYZE jobs; ANALYZE inbox;`,
    );
    const runner = q.createQueryRunner();
    try {
      await runner.query('SET enable_seqscan = off');
      let sql = '';
      const capture: Queryable = {
        query: async (text: string) => {
          sql = text;
          return [{ queued: {}, wipes: {} }];
        },
      };
      await databaseGauges(capture, createMetrics(), { cacheMs: 0 }).refresh();
      const plan = (await runner.query(`EXPLAIN ${sql}`)).map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']);
      const text = plan.join('\n');
      expect(text).not.toMatch(/Seq Scan on (jobs|inbox|reconcile_runs)\b/);
      expect(sql).not.toMatch(/\berrors\b/);
    } finally {
      await runner.release();
    }
  });
});
