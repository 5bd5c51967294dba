import type { CourseRef, SyncedEvent } from '../domain/types';
import type { Queryable } from './queryable';

/** The state store: what kada has written to whose calendar. */

export interface StoredEvent extends SyncedEvent {
  mailbox: string;
  course: CourseRef;
  /** The generation the event was created with (part of its transactionId); absent: keep what is recorded. */
  generation?: number;
}

export async function loadState(db: Queryable, personId: string): Promise<StoredEvent[]> {
  const rows: {
    event_key: string;
    graph_event_id: string;
    content_hash: string;
    mailbox: string;
    semester: string;
    course_id: string;
    course_version: string;
    generation: number;
  }[] = await db.query(
    `SELECT event_key, graph_event_id, content_hash, mailbox, semester, course_id, course_version, generation
       FROM synced_events WHERE person_id = $1 ORDER BY event_key`,
    [personId],
  );
  return rows.map((r) => ({
    key: r.event_key,
    graphEventId: r.graph_event_id,
    hash: r.content_hash,
    mailbox: r.mailbox,
    course: { courseId: r.course_id, version: r.course_version, semester: r.semester },
    generation: r.generation,
  }));
}

export async function saveEvent(db: Queryable, personId: string, e: StoredEvent): Promise<void> {
  await db.query(
    `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
                                course_version, generation, last_synced_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, (SELECT generation FROM event_generations
                                                          WHERE person_id = $1 AND event_key = $2), 0), now())
     ON CONFLICT (person_id, event_key) DO UPDATE
       SET mailbox = EXCLUDED.mailbox, graph_event_id = EXCLUDED.graph_event_id,
           content_hash = EXCLUDED.content_hash, generation = COALESCE($9, synced_events.generation),
           last_synced_at = now()`,
    [
      personId,
      e.key,
      e.mailbox,
      e.graphEventId,
      e.hash,
      e.course.semester,
      e.course.courseId,
      e.course.version,
      e.generation ?? null,
    ],
  );
}

/**
 * Forgets the record of one event. With `graphEventId`, only while the record is still that event:
 * when a person's mailbox changes, the old event's delete can finish after the new one's create has
 * already recorded the same key, and must not wipe that record.
 */
export async function forgetEvent(db: Queryable, personId: string, key: string, graphEventId?: string): Promise<void> {
  // The forgotten event's generation is used up: the next create of the key takes a higher one.
  await db.query(
    `WITH gone AS (
       DELETE FROM synced_events WHERE person_id = $1 AND event_key = $2 AND ($3::text IS NULL OR graph_event_id = $3)
       RETURNING generation)
     INSERT INTO event_generations (person_id, event_key, generation)
     SELECT $1, $2, generation + 1 FROM gone
     ON CONFLICT (person_id, event_key) DO UPDATE
       SET generation = GREATEST(event_generations.generation, EXCLUDED.generation)`,
    [personId, key, graphEventId ?? null],
  );
}

/**
 * The lowest generation the next create of each key may use, for keys whose records were forgotten.
 * A key with a record is created again (a replacement) with that record's generation + 1.
 */
export async function generationFloors(db: Queryable, personId: string): Promise<Map<string, number>> {
  const rows: { event_key: string; generation: number }[] = await db.query(
    `SELECT event_key, generation FROM event_generations WHERE person_id = $1`,
    [personId],
  );
  return new Map(rows.map((r) => [r.event_key, r.generation]));
}

/** The lowest generation the next create of one key may use. */
export async function generationFloor(db: Queryable, personId: string, key: string): Promise<number> {
  const rows: { generation: number }[] = await db.query(
    `SELECT generation FROM event_generations WHERE person_id = $1 AND event_key = $2`,
    [personId, key],
  );
  return rows[0]?.generation ?? 0;
}

/** Persons who have kada events of a course: the "old" side of a TP change fan-out. */
export async function personsWithCourse(db: Queryable, course: CourseRef): Promise<string[]> {
  const rows: { person_id: string }[] = await db.query(
    `SELECT DISTINCT person_id FROM synced_events WHERE semester = $1 AND course_id = $2 AND course_version = $3`,
    [course.semester, course.courseId, course.version],
  );
  return rows.map((r) => r.person_id);
}
