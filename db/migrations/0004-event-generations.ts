import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Generations of event keys, so a re-create never reuses a transactionId (Graph de-duplicates creates
 * by it: a re-create with the old one can be answered with the event it replaces). `synced_events`
 * keeps the generation its event was created with; `event_generations` keeps, per person and key,
 * the lowest generation the next create of a key without a record may use, raised whenever a record
 * is forgotten (deleted by kada or by the person, a lost calendar), so that number survives the row.
 */
export class EventGenerations1796947200000 implements MigrationInterface {
  name = 'EventGenerations1796947200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE synced_events ADD COLUMN generation integer NOT NULL DEFAULT 0;
      CREATE TABLE event_generations (
        person_id   text NOT NULL,
        event_key   text NOT NULL,
        generation  integer NOT NULL,
        PRIMARY KEY (person_id, event_key)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE event_generations; ALTER TABLE synced_events DROP COLUMN generation`);
  }
}
