import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Safety rails against outages that would empty calendars (issue 15): first sightings of a person gone
 * from FS or a course emptied in TP, waiting for a second sighting; the installation-wide count of
 * source-removal deletions per hour; and the deletions the guard holds for an operator.
 */
export class SafetyRails1797033600000 implements MigrationInterface {
  name = 'SafetyRails1797033600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wipe_sightings (
        kind          text NOT NULL CHECK (kind IN ('person', 'course')),
        subject       text NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, subject)
      );
      CREATE TABLE delete_guard_hours (
        hour    timestamptz PRIMARY KEY,
        deletes integer NOT NULL DEFAULT 0
      );
      CREATE TABLE held_deletes (
        person_id      text NOT NULL,
        graph_event_id text NOT NULL,
        mailbox        text NOT NULL,
        key            text NOT NULL,
        held_at        timestamptz NOT NULL DEFAULT now(),
        released_at    timestamptz,
        PRIMARY KEY (person_id, graph_event_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE held_deletes; DROP TABLE delete_guard_hours; DROP TABLE wipe_sightings`);
  }
}
