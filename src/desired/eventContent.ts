import type { ContentSettings, EventContent, TpEvent } from '../domain/types';
import { body } from './body';
import { categories } from './categories';
import { location } from './location';
import { showAs } from './showAs';
import { subject } from './subject';
import { parseTpTime, toGraphDateTime } from './time';

/** A TP occurrence that cannot become a calendar entry; the rest of its course still syncs. */
export class EventContentError extends Error {
  readonly code = 'TP_EVENT_INVALID';
  constructor(
    readonly eventid: string,
    readonly reason: string,
  ) {
    super(`TP event ${eventid}: ${reason}`);
    this.name = 'EventContentError';
  }
}

/**
 * Assembles everything kada writes for one occurrence (service.md "Event content"). Start and end
 * are TP's instants written as wall-clock time in settings.timezone; no reminder, no attendees,
 * so nobody is ever sent an invitation.
 */
export function eventContent(event: TpEvent, courseName: string, settings: ContentSettings): EventContent {
  const start = parseTpTime(event.dtstart);
  const end = parseTpTime(event.dtend);
  if (!start) throw new EventContentError(event.eventid, `unparsable dtstart ${JSON.stringify(event.dtstart)}`);
  if (!end) throw new EventContentError(event.eventid, `unparsable dtend ${JSON.stringify(event.dtend)}`);
  if (end.toMillis() < start.toMillis()) throw new EventContentError(event.eventid, 'dtend is before dtstart');
  return {
    subject: subject(event, settings.language),
    start: toGraphDateTime(start, settings.timezone),
    end: toGraphDateTime(end, settings.timezone),
    showAs: showAs(event),
    ...location(event, settings.language),
    body: { contentType: 'html', content: body(event, courseName, settings) },
    categories: categories(settings.language),
    isReminderOn: false,
  };
}
