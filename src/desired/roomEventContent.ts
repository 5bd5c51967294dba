import type { ContentSettings, EventContent, TpEvent, TpRoom } from '../domain/types';
import { EventContentError } from './eventContent';
import { roomName } from './location';
import { roomBody } from './roomBody';
import { safeHttpUrl } from './safeUrl';
import { showAs } from './showAs';
import { subject } from './subject';
import { parseTpTime, toGraphDateTime } from './time';

/**
 * What kada writes into a room mailbox for one occurrence booked in it (rooms-ics.md): the subject and
 * times a person sees, busy unless cancelled, the room itself as the location, a short body; no
 * category (a room mailbox is nobody's to colour) and, as always, no reminder and no attendees.
 */
export function roomEventContent(
  event: TpEvent,
  courseName: string,
  room: TpRoom,
  settings: ContentSettings,
): EventContent {
  const start = parseTpTime(event.dtstart);
  const end = parseTpTime(event.dtend);
  if (!start) throw new EventContentError(event.eventid, `unparsable dtstart ${JSON.stringify(event.dtstart)}`);
  if (!end) throw new EventContentError(event.eventid, `unparsable dtend ${JSON.stringify(event.dtend)}`);
  if (end.toMillis() < start.toMillis()) throw new EventContentError(event.eventid, 'dtend is before dtstart');
  const displayName = roomName(room) || room.id;
  const uri = safeHttpUrl(room.roomurl);
  return {
    subject: subject(event, settings.language),
    start: toGraphDateTime(start, settings.timezone),
    end: toGraphDateTime(end, settings.timezone),
    showAs: showAs(event),
    location: { displayName },
    locations: [uri ? { displayName, locationUri: uri } : { displayName }],
    body: { contentType: 'html', content: roomBody(event, courseName, settings) },
    categories: [],
    isReminderOn: false,
  };
}
