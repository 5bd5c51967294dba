import type { Queryable } from './queryable';

/** The sync targets that keep their last outcome in their own row: persons and room mailboxes. */
const TARGETS = { persons: 'person_id', rooms: 'tp_room_id' } as const;

/**
 * A target's last sync: its event count, when, and its last error (kept, with its time, until the
 * next error; a clean sync clears the message only). One statement for persons and rooms alike.
 */
export async function recordOutcomeOf(
  db: Queryable,
  table: keyof typeof TARGETS,
  id: string,
  outcome: { eventCount: number; error: string | null },
): Promise<void> {
  await db.query(
    `UPDATE ${table} SET event_count = $2, last_sync_at = now(),
        last_error = $3, last_error_at = CASE WHEN $3::text IS NULL THEN last_error_at ELSE now() END,
        updated_at = now()
      WHERE ${TARGETS[table]} = $1`,
    [id, outcome.eventCount, outcome.error],
  );
}
