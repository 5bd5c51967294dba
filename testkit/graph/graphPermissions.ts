import { GraphHttpError } from './graphHttp';

/**
 * Application permissions the Graph emulator asks of a token's `roles` claim, per resource and
 * method, as Microsoft's API pages and permissions reference list them (application column):
 * - events list/get/instances (api-reference/v1.0/api/user-list-events, event-get, event-list-instances):
 *   Calendars.Read or Calendars.ReadWrite. (Calendars.ReadBasic also reads events, without body and
 *   extended properties; kada never relies on it, so the stricter reading leaves it out.)
 * - event create/update/delete/permanentDelete (user-post-events, event-update, event-delete,
 *   event-permanentdelete): Calendars.ReadWrite.
 * - calendars list/get (user-list-calendars): Calendars.ReadBasic, Calendars.Read or ReadWrite;
 *   create/update/delete (user-post-calendars): Calendars.ReadWrite.
 * - outlook/masterCategories GET (outlookuser-list-mastercategories): MailboxSettings.Read or
 *   MailboxSettings.ReadWrite; POST/PATCH/DELETE (outlookuser-post-mastercategories):
 *   MailboxSettings.ReadWrite.
 */

/** What the app was granted: the application permissions in its token's `roles`. */
export type GrantedRoles = readonly string[];

/** Both permissions kada's guide discusses: the emulator's default grant. */
export const DEFAULT_ROLES: GrantedRoles = ['Calendars.ReadWrite', 'MailboxSettings.ReadWrite'];

const READS_EVENTS = ['Calendars.Read', 'Calendars.ReadWrite'];
const READS_CALENDARS = ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'];
const WRITES_CALENDARS = ['Calendars.ReadWrite'];
const READS_SETTINGS = ['MailboxSettings.Read', 'MailboxSettings.ReadWrite'];
const WRITES_SETTINGS = ['MailboxSettings.ReadWrite'];

/** Any of these roles allows the request; null: a resource the table does not cover (the router answers it). */
export function permissionsFor(method: string, rest: string[]): string[] | null {
  const read = method === 'GET';
  if (rest[0] === 'outlook' && rest[1] === 'mastercategories') return read ? READS_SETTINGS : WRITES_SETTINGS;
  const events = rest.includes('events');
  if (events) return read ? READS_EVENTS : WRITES_CALENDARS;
  if (rest[0] === 'calendar' || rest[0] === 'calendars') return read ? READS_CALENDARS : WRITES_CALENDARS;
  return null;
}

export const accessDenied = () =>
  new GraphHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');

/** Throws Graph's 403 when none of the roles the request needs is granted. */
export function checkPermission(roles: GrantedRoles, method: string, rest: string[]): void {
  const needed = permissionsFor(method, rest);
  if (needed && !needed.some((r) => roles.includes(r))) throw accessDenied();
}
