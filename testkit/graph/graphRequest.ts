import type { EmulatedResponse, Headers } from './graphHttp';
import type { MailboxRecord, MailboxStore } from './graphStore';
import type { ServiceRoot } from './graphEventViews';
import type { GrantedRoles } from './graphPermissions';
import type { WriteKind } from './graphStats';

/** The shapes a request takes on its way through the Graph emulator's router. */

/** One Outlook request, whether it came over HTTP or inside a $batch. */
export interface OutlookRequest {
  appId: string;
  /** The application permissions in the caller's token (`roles`). */
  roles: GrantedRoles;
  method: string;
  /** Path and query relative to the version root, e.g. `/users/x/events?$top=5`. */
  url: string;
  headers: Headers;
  body: unknown;
  inBatch: boolean;
}

/** A request's answer, and what it did, for the counters and the request log. */
export interface Routed {
  response: EmulatedResponse;
  write?: WriteKind;
  mailbox?: string;
  eventId?: string;
}

/** A request under `/users/{id}/`, its path split once for the resource handlers. */
export interface MailboxRequest {
  r: OutlookRequest;
  store: MailboxStore;
  svc: ServiceRoot;
  mb: MailboxRecord;
  /** The path segments after `/users/{id}`, lower-cased to match, and as sent. */
  rest: string[];
  restRaw: string[];
  query: Map<string, string>;
  /** A path under this mailbox for nextLinks, its segments encoded again. */
  pathFor(...tail: string[]): string;
}
