import { roomTargetId } from '../domain/target';
import type { Queryable } from '../store/queryable';
import { getRoom, listRooms, type RoomRow } from '../store/rooms';

/** What the admin API and page show of room calendars (rooms-ics.md): the mapping, counts and last syncs. */
export interface RoomView {
  tpRoomId: string;
  mailbox: string | null;
  mapped: boolean;
  eventCount: number;
  lastSyncAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export const roomView = (r: RoomRow): RoomView => ({
  tpRoomId: r.roomId,
  mailbox: r.mailbox,
  mapped: r.mailbox !== null,
  eventCount: r.eventCount,
  lastSyncAt: r.lastSyncAt?.toISOString() ?? null,
  lastError: r.lastError,
  lastErrorAt: r.lastErrorAt?.toISOString() ?? null,
});

export async function roomsReport(db: Queryable, enabled: boolean): Promise<{ enabled: boolean; items: RoomView[] }> {
  return { enabled, items: (await listRooms(db)).map(roomView) };
}

/** One room with the courses it holds kada events of; null when kada knows nothing of it. */
export async function roomReport(db: Queryable, roomId: string): Promise<(RoomView & { courses: string[] }) | null> {
  const row = await getRoom(db, roomId);
  if (!row) return null;
  const courses: { k: string }[] = await db.query(
    `SELECT DISTINCT semester || ':' || course_id || ',' || course_version AS k
       FROM synced_events WHERE person_id = $1 ORDER BY 1`,
    [roomTargetId(roomId)],
  );
  return { ...roomView(row), courses: courses.map((c) => c.k) };
}
