import { routeDefaultCalendar, routeCalendars, routeMasterCategories } from './graphCalendarRoutes';
import { routeEvents } from './graphEventRoutes';
import type { ServiceRoot } from './graphEventViews';
import { badRequest } from './graphHttp';
import { checkPermission } from './graphPermissions';
import { routePlaces } from './graphPlaces';
import { parseQueryString } from './graphQuery';
import type { MailboxRequest, OutlookRequest, Routed } from './graphRequest';
import type { MailboxStore } from './graphStore';
import type { AccessPolicy } from './graphAccessPolicy';

/** Executes one Outlook request against the store (no faults, limits or latency here). */
export function route(store: MailboxStore, svc: ServiceRoot, r: OutlookRequest, policy?: AccessPolicy): Routed {
  const qPos = r.url.indexOf('?');
  const path = qPos === -1 ? r.url : r.url.slice(0, qPos);
  const query = parseQueryString(qPos === -1 ? '' : r.url.slice(qPos + 1));
  const segs = pathSegments(path);
  const lower = segs.map((s) => s.toLowerCase());
  const places = routePlaces(store.places, svc, r.method, lower, query, r.roles);
  if (places) return { response: places };
  if (lower[0] === 'me')
    throw badRequest('BadRequest', '/me request is only valid with delegated authentication flow.');
  if (lower[0] !== 'users' || segs.length < 3) {
    throw badRequest(
      'BadRequest',
      `Resource not found for the segment '${segs[segs.length > 1 && lower[0] === 'users' ? 1 : 0] ?? ''}'.`,
    );
  }
  // The token's permissions are checked before the mailbox is looked at (permissions-reference).
  checkPermission(r.roles, r.method, lower.slice(2));
  const mb = store.resolve(segs[1]!);
  // The user exists and has a mailbox (else 404 above); whether this app may reach it is the policy's call.
  policy?.check(mb.address);
  const q: MailboxRequest = {
    r,
    store,
    svc,
    mb,
    rest: lower.slice(2),
    restRaw: segs.slice(2),
    query,
    pathFor: (...tail) => `/users/${encodeURIComponent(segs[1]!)}/${tail.map(encodeURIComponent).join('/')}`,
  };
  const routed = routeEvents(q) ?? routeDefaultCalendar(q) ?? routeCalendars(q) ?? routeMasterCategories(q);
  if (routed) return routed;
  throw badRequest('BadRequest', `Resource not found for the segment '${q.restRaw[q.restRaw.length - 1] ?? ''}'.`);
}

function pathSegments(path: string): string[] {
  try {
    return path
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
  } catch {
    throw badRequest('BadRequest', 'Invalid request URL.');
  }
}
