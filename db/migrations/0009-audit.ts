import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (service.md "Admin HTTP API", issue 17): who read or acted on whose data, when, and
 * how it went. Append-only: a trigger refuses every change but the two the service makes, so a bug
 * (or a hand-written statement) cannot rewrite history: `kada forget` may replace `person` by its
 * keyed hash (`p:` and 16 hex digits), and retention may delete entries older than a day.
 */
export class Audit1797379200000 implements MigrationInterface {
  name = 'Audit1797379200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL CHECK (action IN ('read', 'diff', 'rebuild', 'opt-out', 'opt-in', 'forget',
          'ics-create', 'ics-revoke', 'release-deletes', 'drop-deletes')),
        person text,
        outcome text NOT NULL CHECK (outcome IN ('ok', 'denied', 'error')),
        request_id text
      );
      CREATE INDEX audit_log_person_at_idx ON audit_log (person, at);
      CREATE INDEX audit_log_at_idx ON audit_log (at);

      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.at >= now() - interval '1 day' THEN
            RAISE EXCEPTION 'audit_log is append-only: only retention deletes entries, and none younger than a day';
          END IF;
          RETURN OLD;
        END IF;
        IF (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.outcome, NEW.request_id)
             IS DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.outcome, OLD.request_id)
           OR NEW.person IS NULL OR NEW.person !~ '^p:[0-9a-f]{16}$' THEN
          RAISE EXCEPTION 'audit_log is append-only: only forget may replace a person by its keyed hash';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE audit_log;
      DROP FUNCTION audit_log_append_only();
    `);
  }
}
