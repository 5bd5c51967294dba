import type { Queryable, Row } from './queryable';
import { recordOutcomeOf } from './syncOutcome';

/**
 * The TP room -> room mailbox mapping (`kada rooms import`) and each room's last sync. A room's events
 * are synced_events rows of the target `room:<tp_room_id>`; a room no longer mapped is listed until
 * its job has removed them.
 */
export interface RoomMapping {
  roomId: string;
  mailbox: string;
}

export interface RoomRow {
  roomId: string;
  /** Null: unmapped, its kada events still being removed. */
  mailbox: string | null;
  eventCount: number;
  lastSyncAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

const ROOM_ROWS = `
  WITH held AS (
    SELECT substr(person_id, 6) AS tp_room_id, count(*)::int AS n
      FROM synced_events WHERE person_id LIKE 'room:%' GROUP BY person_id)
  SELECT coalesce(r.tp_room_id, h.tp_room_id) AS tp_room_id, r.mailbox, coalesce(h.n, 0) AS event_count,
         r.last_sync_at, r.last_error, r.last_error_at
    FROM rooms r FULL JOIN held h ON h.tp_room_id = r.tp_room_id`;

const fromRow = (r: Row): RoomRow => ({
  roomId: r.tp_room_id,
  mailbox: r.mailbox ?? null,
  eventCount: r.event_count,
  lastSyncAt: r.last_sync_at ?? null,
  lastError: r.last_error ?? null,
  lastErrorAt: r.last_error_at ?? null,
});

/** Every mapped room, and every unmapped one that still has kada events, by TP room id. */
export async function listRooms(db: Queryable): Promise<RoomRow[]> {
  return (await db.query(`${ROOM_ROWS} ORDER BY 1`)).map(fromRow);
}

export async function getRoom(db: Queryable, roomId: string): Promise<RoomRow | null> {
  const rows = await db.query(`${ROOM_ROWS} WHERE coalesce(r.tp_room_id, h.tp_room_id) = $1`, [roomId]);
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function roomMailbox(db: Queryable, roomId: string): Promise<string | null> {
  const rows = await db.query(`SELECT mailbox FROM rooms WHERE tp_room_id = $1`, [roomId]);
  return rows[0]?.mailbox ?? null;
}

/** The mapped ones among TP room ids (a course's rooms). */
export async function mappedRoomIds(db: Queryable, roomIds: string[]): Promise<string[]> {
  if (roomIds.length === 0) return [];
  const rows: { tp_room_id: string }[] = await db.query(
    `SELECT tp_room_id FROM rooms WHERE tp_room_id = ANY($1) ORDER BY 1`,
    [roomIds],
  );
  return rows.map((r) => r.tp_room_id);
}

export async function allMappedRoomIds(db: Queryable): Promise<string[]> {
  const rows: { tp_room_id: string }[] = await db.query(`SELECT tp_room_id FROM rooms ORDER BY 1`);
  return rows.map((r) => r.tp_room_id);
}

/**
 * Makes the mapping exactly `mapping` (call inside a transaction): rooms not in it are unmapped, a
 * changed mailbox is replaced. Returns the rooms whose calendars change, to be synced.
 */
export async function replaceRoomMapping(
  db: Queryable,
  mapping: RoomMapping[],
): Promise<{ added: string[]; changed: string[]; removed: string[]; unchanged: number }> {
  const before = new Map(
    (
      (await db.query(`SELECT tp_room_id, mailbox FROM rooms FOR UPDATE`)) as { tp_room_id: string; mailbox: string }[]
    ).map((r) => [r.tp_room_id, r.mailbox]),
  );
  const wanted = new Map(mapping.map((m) => [m.roomId, m.mailbox]));
  const removed = [...before.keys()].filter((id) => !wanted.has(id)).sort();
  const added = [...wanted.keys()].filter((id) => !before.has(id)).sort();
  const changed = [...wanted.keys()]
    .filter((id) => before.has(id) && before.get(id)!.toLowerCase() !== wanted.get(id)!.toLowerCase())
    .sort();
  // Unmapped and re-addressed rows go first, so a mailbox passed from one room to another fits the unique index.
  await db.query(`DELETE FROM rooms WHERE tp_room_id = ANY($1)`, [[...removed, ...changed]]);
  const upsert = [...added, ...changed];
  if (upsert.length)
    await db.query(`INSERT INTO rooms (tp_room_id, mailbox) SELECT * FROM unnest($1::text[], $2::text[])`, [
      upsert,
      upsert.map((id) => wanted.get(id)!),
    ]);
  return { added, changed, removed, unchanged: wanted.size - added.length - changed.length };
}

export async function recordRoomOutcome(
  db: Queryable,
  roomId: string,
  outcome: { eventCount: number; error: string | null },
): Promise<void> {
  await recordOutcomeOf(db, 'rooms', roomId, outcome);
}

export async function recordRoomError(db: Queryable, roomId: string, error: string): Promise<void> {
  await db.query(`UPDATE rooms SET last_error = $2, last_error_at = now(), updated_at = now() WHERE tp_room_id = $1`, [
    roomId,
    error,
  ]);
}
