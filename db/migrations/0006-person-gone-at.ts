import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a person was marked gone from FS, so retention (KADA_RETENTION_DAYS) can erase them that many
 * days later. A trigger keeps the column right on every path that changes `status` (sync, reconcile
 * discovery, opt-out upserts, and any added later) without each of them having to remember it.
 */
export class PersonGoneAt1797120000000 implements MigrationInterface {
  name = 'PersonGoneAt1797120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE persons ADD COLUMN gone_at timestamptz;
      -- persons already gone: the last change of their row is the best guess of when
      UPDATE persons SET gone_at = updated_at WHERE status = 'gone';
      CREATE INDEX persons_gone_at_idx ON persons (gone_at) WHERE status = 'gone';

      CREATE FUNCTION persons_track_gone_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- a row that is not gone has no gone_at, so a change to gone always starts the clock now
        IF NEW.status = 'gone' THEN
          NEW.gone_at := coalesce(NEW.gone_at, now());
        ELSE
          NEW.gone_at := NULL;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER persons_track_gone_at BEFORE INSERT OR UPDATE OF status, gone_at ON persons
        FOR EACH ROW EXECUTE FUNCTION persons_track_gone_at();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER persons_track_gone_at ON persons;
      DROP FUNCTION persons_track_gone_at();
      ALTER TABLE persons DROP COLUMN gone_at;
    `);
  }
}
