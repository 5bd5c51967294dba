import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How many persons a `reconcile --all` run could not repair, so "the nightly reconcile succeeded" can be told
 * from "it walked to the end while Graph was down" (kada_reconcile_last_success_timestamp_seconds). Kept
 * across resumptions of one run, like persons_done.
 */
export class ReconcileOutcome1797465600000 implements MigrationInterface {
  name = 'ReconcileOutcome1797465600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE reconcile_runs ADD COLUMN persons_failed integer NOT NULL DEFAULT 0;
      -- the metric reads the newest finished run; runs are one a night, so this stays tiny
      CREATE INDEX reconcile_runs_finished_idx ON reconcile_runs (finished_at DESC) WHERE finished_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX reconcile_runs_finished_idx;
      ALTER TABLE reconcile_runs DROP COLUMN persons_failed;
    `);
  }
}
