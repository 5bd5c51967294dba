/**
 * Whose calendar a job, a state row or a held delete is about: a person (their personlopenummer) or a
 * TP room with a mapped room mailbox (`room:<tp_room_id>`, rooms-ics.md). Rooms share the person
 * machinery (jobs, synced_events, event_generations, held_deletes) under that id; a personlopenummer
 * is digits only, so the two can never meet.
 */
export type SyncTarget = { kind: 'person'; personId: string } | { kind: 'room'; roomId: string };

const ROOM_PREFIX = 'room:';

export const roomTargetId = (roomId: string) => `${ROOM_PREFIX}${roomId}`;

export const isRoomTarget = (id: string) => id.startsWith(ROOM_PREFIX);

export function parseTarget(id: string): SyncTarget {
  return isRoomTarget(id) ? { kind: 'room', roomId: id.slice(ROOM_PREFIX.length) } : { kind: 'person', personId: id };
}
