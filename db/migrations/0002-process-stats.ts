import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each running kada process has seen of Graph (throttling, retries, writes waiting), so
 * /api/status and `kada status` can show all replicas, not just the one that answers.
 */
export class ProcessStats1795651200000 implements MigrationInterface {
  name = 'ProcessStats1795651200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE process_stats (
        process_id text PRIMARY KEY,
        hostname   text NOT NULL,
        started_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        graph      jsonb NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE process_stats`);
  }
}
