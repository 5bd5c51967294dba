import type { GraphRoom } from '../graph/places';

/** A TP room as the stored timetables name it. */
export interface TpRoomName {
  id: string;
  roomid: string | null;
  roomname: string | null;
  buildingname: string | null;
}

export interface RoomSuggestion {
  roomId: string;
  mailbox: string;
  tpName: string;
  placeName: string;
  score: number;
}

const tokens = (...parts: (string | null | undefined)[]) =>
  new Set(
    parts
      .join(' ')
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );

/**
 * Likely room mailboxes for TP rooms, by name (pure): the share of the TP room's name and building
 * words found in the place's name, building and nickname, the room's own name counting twice. A
 * guess for an operator to check, never imported by itself: each place is given to the TP room it
 * fits best, and matches below half are left out.
 */
export function suggestRooms(tp: TpRoomName[], places: GraphRoom[]): RoomSuggestion[] {
  const candidates: RoomSuggestion[] = [];
  for (const room of tp) {
    const name = tokens(room.roomname ?? room.roomid);
    const building = tokens(room.buildingname);
    if (name.size === 0) continue;
    for (const p of places) {
      if (!p.emailAddress) continue;
      const words = tokens(p.displayName, p.building, p.nickname);
      const hit = (set: Set<string>) => [...set].filter((t) => words.has(t)).length;
      const score = (2 * hit(name) + hit(building)) / (2 * name.size + building.size);
      if (score >= 0.5 && hit(name) === name.size)
        candidates.push({
          roomId: room.id,
          mailbox: p.emailAddress,
          tpName: [room.roomname, room.buildingname].filter(Boolean).join(', '),
          placeName: p.displayName,
          score: Math.round(score * 100) / 100,
        });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.roomId.localeCompare(b.roomId));
  const rooms = new Set<string>();
  const mailboxes = new Set<string>();
  const out: RoomSuggestion[] = [];
  for (const c of candidates) {
    if (rooms.has(c.roomId) || mailboxes.has(c.mailbox.toLowerCase())) continue;
    rooms.add(c.roomId);
    mailboxes.add(c.mailbox.toLowerCase());
    out.push(c);
  }
  return out.sort((a, b) => a.roomId.localeCompare(b.roomId));
}
