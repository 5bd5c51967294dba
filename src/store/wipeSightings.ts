import type { Queryable, Row } from './queryable';

/**
 * First sightings of a wipe-out: a person FS says is gone, a course TP says went from events to none.
 * Kept in PostgreSQL so every replica (and the CronJob) sees the same first sighting.
 */
export type WipeKind = 'person' | 'course';

export interface WipeSighting {
  kind: WipeKind;
  /** The personlopenummer or the course key. */
  subject: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** Records a sighting (the first one stays) and returns it with the database's clock. */
export async function recordSighting(
  db: Queryable,
  kind: WipeKind,
  subject: string,
): Promise<{ firstSeenAt: Date; now: Date }> {
  const rows = await db.query(
    `INSERT INTO wipe_sightings (kind, subject) VALUES ($1, $2)
     ON CONFLICT (kind, subject) DO UPDATE SET last_seen_at = now()
     RETURNING first_seen_at, now() AS now`,
    [kind, subject],
  );
  return { firstSeenAt: rows[0].first_seen_at, now: rows[0].now };
}

/** The source said otherwise, or kada acted on it: the next sighting starts over. */
export async function clearSighting(db: Queryable, kind: WipeKind, subject: string): Promise<void> {
  await db.query(`DELETE FROM wipe_sightings WHERE kind = $1 AND subject = $2`, [kind, subject]);
}

export async function listSightings(db: Queryable, kind?: WipeKind): Promise<WipeSighting[]> {
  const rows = await db.query(
    `SELECT kind, subject, first_seen_at, last_seen_at FROM wipe_sightings
      WHERE ($1::text IS NULL OR kind = $1) ORDER BY first_seen_at, subject LIMIT 1000`,
    [kind ?? null],
  );
  return rows.map((r: Row) => ({
    kind: r.kind,
    subject: r.subject,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
  }));
}

export async function countSightings(db: Queryable): Promise<Record<WipeKind, number>> {
  const rows = await db.query(`SELECT kind, count(*)::int AS n FROM wipe_sightings GROUP BY kind`);
  const out: Record<WipeKind, number> = { person: 0, course: 0 };
  for (const r of rows as Row[]) out[r.kind as WipeKind] = r.n;
  return out;
}
