import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The order of work (service.md "Order of work"): priority classes 100 points apart, and aging, so bulk
 * work never starves. A job's effective priority is `priority + hours waited since run_at`; ordering by it
 * is ordering by `rank_at = run_at - priority hours` (now() is the same for every row), which an index can
 * serve: the take stays one index probe with 100,000 jobs queued. A trigger keeps rank_at right on every
 * path that sets priority or run_at (enqueue, coalescing, retries, crash recovery, and any added later).
 * The old priorities (-10 reconcile, 0 notification, 100 forced) move to their classes' new values.
 */
export class JobPriority1797811200000 implements MigrationInterface {
  name = 'JobPriority1797811200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE jobs SET priority = CASE WHEN priority >= 100 THEN 1000 WHEN priority >= 0 THEN 300 ELSE 200 END;
      ALTER TABLE jobs ADD COLUMN rank_at timestamptz;

      CREATE FUNCTION jobs_track_rank_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- one point of priority is worth one hour of waiting (src/jobs/types.ts AGING_SECONDS_PER_POINT)
        NEW.rank_at := NEW.run_at - make_interval(hours => NEW.priority);
        RETURN NEW;
      END $$;
      CREATE TRIGGER jobs_track_rank_at BEFORE INSERT OR UPDATE OF priority, run_at, rank_at ON jobs
        FOR EACH ROW EXECUTE FUNCTION jobs_track_rank_at();

      UPDATE jobs SET rank_at = NULL;
      ALTER TABLE jobs ALTER COLUMN rank_at SET NOT NULL;
      DROP INDEX jobs_takeable_idx;
      CREATE INDEX jobs_rank_idx ON jobs (rank_at, id) WHERE state = 'queued';
      -- the loops a pool keeps for changes and rebuilds (PRIORITY.notification and up) look only here
      CREATE INDEX jobs_urgent_idx ON jobs (rank_at, id) WHERE state = 'queued' AND priority >= 300;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX jobs_rank_idx, jobs_urgent_idx;
      CREATE INDEX jobs_takeable_idx ON jobs (priority DESC, run_at, id) WHERE state = 'queued';
      DROP TRIGGER jobs_track_rank_at ON jobs;
      DROP FUNCTION jobs_track_rank_at();
      ALTER TABLE jobs DROP COLUMN rank_at;
      UPDATE jobs SET priority = CASE WHEN priority >= 1000 THEN 100 WHEN priority >= 300 THEN 0 ELSE -10 END;
    `);
  }
}
