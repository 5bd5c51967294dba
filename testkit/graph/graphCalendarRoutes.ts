import { routeCalendarEvents } from './graphEventRoutes';
import { listOf } from './graphEventViews';
import { jsonResponse as json, methodNotAllowed } from './graphHttp';
import type { MailboxRequest, Routed } from './graphRequest';

/** The Graph emulator's calendar and master-category resources (and the events under a calendar). */

type Body = Record<string, unknown>;

/** `calendar` (the default one) and `calendar/events...`. */
export function routeDefaultCalendar(q: MailboxRequest): Routed | undefined {
  const { r, store, mb, rest } = q;
  if (rest[0] !== 'calendar') return undefined;
  if (rest.length === 1) {
    if (r.method !== 'GET') throw methodNotAllowed();
    return {
      mailbox: mb.address,
      response: json(200, store.renderCalendar(mb, store.calendar(mb, mb.defaultCalendarId))),
    };
  }
  if (rest[1] === 'events') return routeCalendarEvents(q, mb.defaultCalendarId, ['calendar']);
  return undefined;
}

/** `calendars`, `calendars/{id}` and `calendars/{id}/events...`. */
export function routeCalendars(q: MailboxRequest): Routed | undefined {
  const { r, store, svc, mb, rest, restRaw, query, pathFor } = q;
  if (rest[0] !== 'calendars') return undefined;
  const base = { mailbox: mb.address };
  const m = r.method;
  if (rest.length === 1) {
    if (m === 'GET') {
      const cals = [...mb.calendars.values()].sort((a, b) => a.seq - b.seq).map((c) => store.renderCalendar(mb, c));
      const context = `users('${encodeURIComponent(mb.address)}')/calendars`;
      return { ...base, response: listOf(svc, cals, context, pathFor('calendars'), query) };
    }
    if (m === 'POST') {
      const cal = store.createCalendar(mb, (r.body ?? {}) as Body);
      return { ...base, response: json(201, store.renderCalendar(mb, cal)), write: 'calendarCreate' };
    }
    throw methodNotAllowed();
  }
  const calId = restRaw[1]!;
  if (rest.length === 2) {
    if (m === 'GET') return { ...base, response: json(200, store.renderCalendar(mb, store.calendar(mb, calId))) };
    if (m === 'PATCH') {
      const updated = store.updateCalendar(mb, calId, (r.body ?? {}) as Body);
      return { ...base, response: json(200, store.renderCalendar(mb, updated)) };
    }
    if (m === 'DELETE') {
      store.deleteCalendar(mb, calId);
      return { ...base, response: { status: 204, headers: {} } };
    }
    throw methodNotAllowed();
  }
  if (rest[2] === 'events') {
    store.calendar(mb, calId);
    return routeCalendarEvents(q, calId, ['calendars', calId]);
  }
  return undefined;
}

/** `outlook/masterCategories` and `outlook/masterCategories/{id}`. */
export function routeMasterCategories(q: MailboxRequest): Routed | undefined {
  const { r, store, svc, mb, rest, restRaw } = q;
  if (rest[0] !== 'outlook' || rest[1] !== 'mastercategories') return undefined;
  const base = { mailbox: mb.address };
  const m = r.method;
  if (rest.length === 2) {
    if (m === 'GET') {
      const value = [...mb.categories.values()].map((c) => store.renderCategory(c));
      const context = `${svc.root}/$metadata#users('${encodeURIComponent(mb.address)}')/outlook/masterCategories`;
      return { ...base, response: json(200, { '@odata.context': context, value }) };
    }
    if (m === 'POST') {
      const cat = store.createCategory(mb, (r.body ?? {}) as Body);
      return { ...base, response: json(201, store.renderCategory(cat)), write: 'categoryCreate' };
    }
    throw methodNotAllowed();
  }
  if (rest.length === 3) {
    const id = restRaw[2]!;
    if (m === 'GET') return { ...base, response: json(200, store.renderCategory(store.category(mb, id))) };
    if (m === 'PATCH') {
      const updated = store.updateCategory(mb, id, (r.body ?? {}) as Body);
      return { ...base, response: json(200, store.renderCategory(updated)), write: 'categoryUpdate' };
    }
    if (m === 'DELETE') {
      store.category(mb, id);
      mb.categories.delete(id);
      return { ...base, response: { status: 204, headers: {} } };
    }
    throw methodNotAllowed();
  }
  return undefined;
}
