import type { Queryable, Row } from './queryable';

/**
 * The deletion guard's state (service.md `KADA_DELETE_GUARD`): how many source-removal deletions ran
 * this hour across the installation, and the deletions held for an operator. Shared through
 * PostgreSQL so every replica counts against the same hour.
 */

export interface HeldDelete {
  personId: string;
  graphEventId: string;
  mailbox: string;
  key: string;
  heldAt: Date;
  /** Set when an operator released it: the person's next job executes it. */
  releasedAt: Date | null;
}

/**
 * Takes up to `wanted` deletions from this hour's allowance of `limit` and returns how many were
 * granted. The row lock serialises replicas, so the hour never grants more than `limit`.
 */
export async function takeDeleteAllowance(db: Queryable, wanted: number, limit: number): Promise<number> {
  if (wanted <= 0) return 0;
  await db.query(
    `INSERT INTO delete_guard_hours (hour) VALUES (date_trunc('hour', now())) ON CONFLICT (hour) DO NOTHING`,
  );
  // As a CTE so the rows come back as rows (TypeORM answers a bare UPDATE ... RETURNING with [rows, count]).
  const rows = await db.query(
    `WITH u AS (
       UPDATE delete_guard_hours g SET deletes = g.deletes + a.granted
         FROM (SELECT hour, LEAST($1::int, GREATEST($2::int - deletes, 0)) AS granted FROM delete_guard_hours
                WHERE hour = date_trunc('hour', now()) FOR UPDATE) a
        WHERE g.hour = a.hour
        RETURNING a.granted)
     SELECT granted FROM u`,
    [wanted, limit],
  );
  return rows[0]?.granted ?? 0;
}

/** Source-removal deletions executed in the current hour. */
export async function deletesThisHour(db: Queryable): Promise<number> {
  const rows = await db.query(`SELECT deletes FROM delete_guard_hours WHERE hour = date_trunc('hour', now())`);
  return rows[0]?.deletes ?? 0;
}

/** Whether held deletions wait for an operator: then every further source-removal deletion is held too. */
export async function guardTripped(db: Queryable): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM held_deletes WHERE released_at IS NULL LIMIT 1`);
  return rows.length > 0;
}

/** The graph event ids of a person's deletions that an operator released. */
export async function releasedDeletes(db: Queryable, personId: string): Promise<Set<string>> {
  const rows = await db.query(
    `SELECT graph_event_id FROM held_deletes WHERE person_id = $1 AND released_at IS NOT NULL`,
    [personId],
  );
  return new Set(rows.map((r: Row) => r.graph_event_id as string));
}

/**
 * A person's held deletions as their latest job planned them: what the sources no longer ask for
 * vanishes, what they still ask for stays held (keeping when it was first held).
 */
export async function replaceHeld(
  db: Queryable,
  personId: string,
  held: { graphEventId: string; mailbox: string; key: string }[],
): Promise<void> {
  await db.query(
    `DELETE FROM held_deletes WHERE person_id = $1 AND NOT (graph_event_id = ANY($2::text[]) AND released_at IS NULL)`,
    [personId, held.map((h) => h.graphEventId)],
  );
  if (held.length === 0) return;
  await db.query(
    `INSERT INTO held_deletes (person_id, graph_event_id, mailbox, key)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
     ON CONFLICT (person_id, graph_event_id) DO NOTHING`,
    [personId, held.map((h) => h.graphEventId), held.map((h) => h.mailbox), held.map((h) => h.key)],
  );
}

export async function listHeld(db: Queryable, limit = 1000): Promise<HeldDelete[]> {
  const rows = await db.query(
    `SELECT person_id, graph_event_id, mailbox, key, held_at, released_at FROM held_deletes
      ORDER BY held_at, person_id, key LIMIT $1`,
    [limit],
  );
  return rows.map((r: Row) => ({
    personId: r.person_id,
    graphEventId: r.graph_event_id,
    mailbox: r.mailbox,
    key: r.key,
    heldAt: r.held_at,
    releasedAt: r.released_at,
  }));
}

export async function countHeld(db: Queryable): Promise<{ held: number; released: number; persons: number }> {
  const rows = await db.query(
    `SELECT count(*) FILTER (WHERE released_at IS NULL)::int AS held,
            count(*) FILTER (WHERE released_at IS NOT NULL)::int AS released,
            count(DISTINCT person_id)::int AS persons
       FROM held_deletes`,
  );
  return rows[0];
}

/** Marks every held deletion released; returns the persons whose jobs must run to execute them. */
export async function releaseHeld(db: Queryable): Promise<{ deletes: number; personIds: string[] }> {
  const rows = await db.query(
    `WITH u AS (UPDATE held_deletes SET released_at = now() WHERE released_at IS NULL RETURNING person_id)
     SELECT person_id FROM u`,
  );
  return { deletes: rows.length, personIds: [...new Set<string>(rows.map((r: Row) => r.person_id))].sort() };
}

/** Forgets every held deletion; returns the persons concerned, so the sources are asked about them again. */
export async function dropHeld(db: Queryable): Promise<{ deletes: number; personIds: string[] }> {
  const rows = await db.query(`WITH d AS (DELETE FROM held_deletes RETURNING person_id) SELECT person_id FROM d`);
  return { deletes: rows.length, personIds: [...new Set<string>(rows.map((r: Row) => r.person_id))].sort() };
}
