import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room calendars (rooms-ics.md): the operator's mapping of TP rooms to Exchange room mailboxes, with
 * each room's last sync as a person row has it, and the room ids of every stored TP course, so a room's
 * job finds the courses that book it without reading every stored timetable. A room's events live in
 * synced_events like a person's, under the target id `room:<tp_room_id>` (src/domain/target.ts).
 */
export class RoomCalendars1797552000000 implements MigrationInterface {
  name = 'RoomCalendars1797552000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rooms (
        tp_room_id    text PRIMARY KEY,
        mailbox       text NOT NULL,
        event_count   integer NOT NULL DEFAULT 0,
        last_sync_at  timestamptz,
        last_error    text,
        last_error_at timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      -- one room per mailbox: two TP rooms in one mailbox would delete each other's events
      CREATE UNIQUE INDEX rooms_mailbox_idx ON rooms (lower(mailbox));

      ALTER TABLE tp_courses ADD COLUMN room_ids text[] NOT NULL DEFAULT '{}';
      UPDATE tp_courses SET room_ids = ARRAY(
        SELECT DISTINCT r->>'id'
          FROM jsonb_array_elements(course->'events') e, jsonb_array_elements(e->'rooms') r
         WHERE r->>'id' IS NOT NULL);
      CREATE INDEX tp_courses_room_ids_idx ON tp_courses USING gin (room_ids);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tp_courses DROP COLUMN room_ids; DROP TABLE rooms`);
  }
}
