import { badRequest, methodNotAllowed, type EmulatedResponse } from './graphHttp';
import { eventList, singleEvent } from './graphEventViews';
import type { MailboxRequest, Routed } from './graphRequest';
import { notFound, renderedId, type EventRecord } from './graphStore';
import { parsePrefer } from './graphTime';

/** The Graph emulator's event resources: event collections, single events, and a series' /instances. */

/** `events` in the default calendar, `calendar/events`, or `calendars/{id}/events` (the calendar already found). */
export function routeEvents(q: MailboxRequest): Routed | undefined {
  const { mb, rest, restRaw, pathFor } = q;
  if (rest[0] === 'events') {
    if (rest.length === 1) return eventsIn(q, mb.defaultCalendarId, pathFor('events'));
    if (rest.length === 2) return oneEvent(q, restRaw[1]!);
    if (rest.length === 3 && rest[2] === 'instances')
      return instancesOf(q, restRaw[1]!, pathFor('events', restRaw[1]!, 'instances'));
    if (rest.length === 3 && rest[2] === 'permanentdelete') return permanentDelete(q, restRaw[1]!);
  }
  return undefined;
}

/** `calendar/events...` and `calendars/{id}/events...`; `head` is the path before `events`, as links show it. */
export function routeCalendarEvents(q: MailboxRequest, calendarId: string, head: string[]): Routed | undefined {
  const { rest, restRaw, pathFor } = q;
  const at = head.length;
  if (rest.length === at + 1) return eventsIn(q, calendarId, pathFor(...head, 'events'));
  if (rest.length === at + 2) return oneEvent(q, restRaw[at + 1]!, calendarId);
  if (rest.length === at + 3 && rest[at + 2] === 'permanentdelete') return permanentDelete(q, restRaw[at + 1]!);
  if (rest.length === at + 3 && rest[at + 2] === 'instances') {
    const id = restRaw[at + 1]!;
    return instancesOf(q, id, pathFor(...head, 'events', id, 'instances'), calendarId);
  }
  return undefined;
}

function eventsIn(q: MailboxRequest, calendarId: string, listPath: string): Routed {
  const { r, store, svc, mb, query } = q;
  const base = { mailbox: mb.address };
  if (r.method === 'GET') {
    // Like Graph's calendar event lists: single events and series masters, never their instances.
    const all = store.listEvents(mb, calendarId);
    return { ...base, response: eventList(svc, mb, all, 'events', listPath, query, r.headers) };
  }
  if (r.method === 'POST') {
    const { event, deduplicated } = store.createEvent(mb, calendarId, r.body, 'app');
    const resp = singleEvent(svc, mb, event, 201, query, r.headers);
    const shown = renderedId(event, parsePrefer(r.headers.prefer).immutableIds, mb);
    resp.headers.Location = `${svc.root}/users('${mb.id}')/events('${shown}')`;
    return { ...base, response: resp, write: deduplicated ? 'createDeduplicated' : 'create', eventId: event.id };
  }
  throw methodNotAllowed();
}

function oneEvent(q: MailboxRequest, id: string, calendarId?: string): Routed {
  const { r, store, svc, mb, query } = q;
  const base = { mailbox: mb.address };
  const ev = store.event(mb, id);
  if (calendarId && ev.calendarId !== calendarId) throw notFound();
  if (r.method === 'GET') return { ...base, eventId: id, response: singleEvent(svc, mb, ev, 200, query, r.headers) };
  if (r.method === 'PATCH') {
    const updated = store.updateEvent(mb, id, r.body);
    const response = singleEvent(svc, mb, updated, 200, query, r.headers);
    return { ...base, eventId: id, response, write: 'update' };
  }
  if (r.method === 'DELETE') {
    store.deleteEvent(mb, id);
    return { ...base, eventId: id, response: { status: 204, headers: {} }, write: 'delete' };
  }
  throw methodNotAllowed();
}

/** POST .../events/{id}/permanentDelete: an action without parameters, answered 204. */
function permanentDelete(q: MailboxRequest, id: string): Routed {
  if (q.r.method !== 'POST') throw methodNotAllowed();
  q.store.permanentDeleteEvent(q.mb, id);
  return { mailbox: q.mb.address, eventId: id, response: { status: 204, headers: {} }, write: 'delete' };
}

function instancesOf(q: MailboxRequest, id: string, listPath: string, calendarId?: string): Routed {
  const { r, store, mb } = q;
  if (r.method !== 'GET') throw methodNotAllowed();
  const ev = store.event(mb, id);
  if (calendarId && ev.calendarId !== calendarId) throw notFound();
  return { mailbox: mb.address, eventId: id, response: listInstances(q, ev, listPath) };
}

/** GET .../events/{id}/instances: the series' occurrences and exceptions overlapping the window, by start. */
function listInstances(q: MailboxRequest, ev: EventRecord, listPath: string): EmulatedResponse {
  const { r, store, svc, mb, query } = q;
  const { fromMs, toMs } = timeWindow(query);
  const inWindow = store
    .instances(ev)
    .filter((i) => i.startMs < toMs && (i.endMs > fromMs || (i.endMs === i.startMs && i.startMs >= fromMs)));
  return eventList(svc, mb, inWindow, `events('${ev.id}')/instances`, listPath, query, r.headers);
}

/** Graph's required window parameters of /instances, as instants (no offset means UTC). */
function timeWindow(query: Map<string, string>): { fromMs: number; toMs: number } {
  const get = (name: string) => [...query].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const start = get('startDateTime');
  const end = get('endDateTime');
  if (!start || !end) {
    throw badRequest(
      'ErrorInvalidParameter',
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
    );
  }
  const parse = (name: string, text: string) => {
    const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(text) ? text : `${text.replace(/(\.\d{3})\d+/, '$1')}Z`);
    if (Number.isNaN(ms))
      throw badRequest('ErrorInvalidParameter', `The value '${text}' of parameter '${name}' is invalid.`);
    return ms;
  };
  return { fromMs: parse('StartDateTime', start), toMs: parse('EndDateTime', end) };
}
