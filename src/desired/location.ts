import type { EventContent, Language, TpEvent, TpRoom } from '../domain/types';
import { safeHttpUrl } from './safeUrl';
import { textsFor } from './texts';

type Location = Pick<EventContent, 'location' | 'locations'>;

/** `<roomname>, <buildingname>`, or whichever of the two TP gave. */
export function roomName(room: TpRoom): string {
  const name = (room.roomname || room.roomid || room.id || '').trim();
  const building = (room.buildingname ?? '').trim();
  return [name, building].filter(Boolean).join(', ');
}

/** A room entry that stands for a video meeting rather than a place. */
export const isVideoRoom = (room: TpRoom) => room.videolink === true;

/**
 * Physical rooms are named and joined by `; `; a session with no room or only video rooms is
 * digital and says so (in KADA_LANGUAGE). `locations` lists every room TP gave, with the room's
 * URL only when it is plain http(s).
 */
export function location(event: TpEvent, language: Language): Location {
  const digital = textsFor(language).digital;
  const physical = event.rooms.filter((r) => !isVideoRoom(r));
  const hasVideo = event.rooms.some(isVideoRoom);
  const names = physical.map(roomName).filter(Boolean);
  if (names.length === 0 || hasVideo) names.push(digital);
  const locations = event.rooms.map((room) => {
    const displayName = (isVideoRoom(room) ? room.roomname?.trim() || digital : roomName(room)) || digital;
    const uri = safeHttpUrl(room.roomurl);
    return uri ? { displayName, locationUri: uri } : { displayName };
  });
  return { location: { displayName: names.join('; ') }, locations };
}
