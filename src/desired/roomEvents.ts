import { byKey, type ContentSettings, type DataError, type DesiredEvent, type TpCourse } from '../domain/types';
import { contentHash } from './contentHash';
import { EventContentError } from './eventContent';
import { roomEventKey } from './eventKey';
import { isPreparedCourse, type PreparedCourse } from './prepareCourse';
import { roomEventContent } from './roomEventContent';

export interface RoomEventsInput {
  /** TP's room id (`room[].id`, e.g. `510S206`). */
  roomId: string;
  /** Timetables to look in; only their events booked in the room count. */
  courses: (TpCourse | PreparedCourse)[];
  settings: ContentSettings;
}

/**
 * The events a room mailbox should have: every occurrence of the given courses whose `room` list
 * names the room, once each. Cancelled occurrences stay (shown free), as in a person's calendar.
 * Rooms are written as single events whatever SERIES_MODE says: nobody reads a room's series.
 */
export function roomEvents(input: RoomEventsInput): { events: DesiredEvent[]; errors: DataError[] } {
  const events = new Map<string, DesiredEvent>();
  const errors: DataError[] = [];
  for (const c of input.courses) {
    const source = isPreparedCourse(c) ? c.source : c;
    const course = source.course;
    for (const event of source.events) {
      const room = event.rooms.find((r) => r.id === input.roomId);
      const key = roomEventKey(course, event.eventid);
      if (!room || events.has(key)) continue;
      try {
        const content = roomEventContent(event, source.courseName, room, input.settings);
        events.set(key, { key, course, content, hash: contentHash(content) });
      } catch (err) {
        if (!(err instanceof EventContentError)) throw err;
        errors.push({ code: err.code, message: err.message, course, eventid: event.eventid });
      }
    }
  }
  return { events: [...events.values()].sort(byKey), errors };
}
