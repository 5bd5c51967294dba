import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventPropertyNames } from './graphEventSchema';
import { FaultInjector, type FaultKind, type FaultMatch, type Faults } from './graphFaults';
import {
  GraphHttpError,
  badRequest,
  graphError,
  readBody,
  seededRandom,
  sleep,
  startHttpsServer,
  writeResponse,
  type EmulatedResponse,
  type Headers,
} from './graphHttp';
import { evaluateFilter, nextLink, parseListOptions, parseQueryString, type ListOptions } from './graphQuery';
import type { Occurrence } from './graphRecurrence';
import {
  MailboxStore,
  extendedIdEquals,
  renderEvent,
  type EventRecord,
  type MailboxRecord,
  type MailboxState,
} from './graphStore';
import { UTC_ZONE, formatDateTimeTimeZone, parsePrefer } from './graphTime';
import {
  startTokenEmulator,
  type ClientRegistration,
  type TokenCheck,
  type TokenEmulator,
  type TokenEmulatorOptions,
} from './tokenEmulator';

/**
 * A Microsoft Graph emulator for the calendar calls kada makes (shared/contracts/graph.md): events,
 * calendars, master categories and $batch, with Outlook's per-app concurrency limit, latency,
 * fault injection, and an inspection API for tests. Runs over HTTPS with the local CA.
 */

export interface GraphEmulatorOptions {
  port?: number;
  certDir?: string;
  /** Per (sub-)request latency; each request waits latencyMs + random(0..jitterMs). */
  latencyMs?: number;
  jitterMs?: number;
  /** Concurrent Outlook requests per app across all mailboxes (Outlook's limit is 4). */
  concurrencyLimit?: number;
  /** Retry-After (seconds) on 429 and 503 answers. */
  retryAfterSeconds?: number;
  /** Requests per app and mailbox per window (Outlook: 10,000 per 10 minutes); null disables. */
  mailboxRequestLimit?: { requests: number; windowMs: number } | null;
  /** Create a mailbox on first use of an address (default true); otherwise use addMailbox. */
  autoCreateMailboxes?: boolean;
  /** Decides whether a bearer token is valid and for which app. Default: any non-empty token, app "app". */
  authenticate?: (token: string) => TokenCheck | Promise<TokenCheck>;
  faults?: Faults;
  /** Seed for jitter and random faults, so a run can be replayed. */
  seed?: number;
  maxBatchSize?: number;
}

/** A stored event as tests see it: Graph's UTC answer plus where it lives and its markers. */
export interface InspectedEvent {
  id: string;
  calendarId: string;
  createdBy: 'app' | 'user';
  transactionId?: string;
  subject: string;
  showAs: string;
  categories: string[];
  isReminderOn: boolean;
  body: { contentType: string; content: string };
  location: { displayName: string; [k: string]: unknown };
  locations: { displayName: string; [k: string]: unknown }[];
  /** Instants as ISO strings in UTC (`...Z`). */
  startUtc: string;
  endUtc: string;
  originalStartTimeZone: string;
  /** Graph's event type: singleInstance, seriesMaster, occurrence or exception. */
  type: string;
  /** For an occurrence or exception: where the pattern put it (ISO, UTC). */
  originalStartUtc?: string;
  /** Single-value extended properties by id as written. */
  extendedProperties: Record<string, string>;
  /** The full Graph representation (UTC). */
  graph: Record<string, unknown>;
}

export interface RequestCounter {
  total: number;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
}

export interface GraphStats {
  /** HTTP requests as received (a $batch counts once). */
  requests: RequestCounter;
  /** Outlook requests: top-level calls other than $batch, plus every $batch sub-request. */
  outlookRequests: RequestCounter;
  batches: number;
  subRequests: number;
  /** 429 answers (top-level and inside batches), whatever the cause. */
  throttled: number;
  concurrencyRejections: number;
  maxConcurrency: number;
  writes: {
    create: number;
    createDeduplicated: number;
    update: number;
    delete: number;
    calendarCreate: number;
    categoryCreate: number;
    categoryUpdate: number;
  };
  faults: Record<string, number>;
}

export interface LoggedRequest {
  at: number;
  method: string;
  /** Path after the version, e.g. `/users/a@uio.no/events/AAMk...`. */
  path: string;
  status: number;
  mailbox?: string;
  eventId?: string;
  inBatch: boolean;
  fault?: FaultKind;
}

export interface GraphEmulator {
  /** `https://localhost:<port>/v1.0`, the GRAPH_BASE_URL. */
  baseUrl: string;
  origin: string;
  port: number;
  close(): Promise<void>;
  addMailbox(address: string, opts?: { displayName?: string; state?: MailboxState }): { id: string; address: string };
  events(mailbox: string, calendarId?: string): InspectedEvent[];
  /**
   * What the person sees: single events, and every series master replaced by its instances (plain
   * occurrences with the master's content, exceptions with their own, cancelled ones gone), each with
   * its instance id and `seriesMasterId`. Sorted by start.
   */
  occurrences(mailbox: string, calendarId?: string): Occurrence<InspectedEvent>[];
  /** A stored event, or an occurrence or exception by its instance id. */
  event(mailbox: string, id: string): InspectedEvent | undefined;
  addUserEvent(mailbox: string, event: Record<string, unknown>, opts?: { calendarId?: string }): InspectedEvent;
  userEdit(mailbox: string, id: string, patch: Record<string, unknown>): InspectedEvent;
  userDelete(mailbox: string, id: string): void;
  duplicateEvent(mailbox: string, id: string): InspectedEvent;
  calendars(mailbox: string): { id: string; name: string; isDefault: boolean }[];
  defaultCalendarId(mailbox: string): string;
  categories(mailbox: string): { id: string; displayName: string; color: string }[];
  stats(): GraphStats;
  resetStats(): void;
  requestLog(): LoggedRequest[];
  setFaults(f: Faults): void;
  failNext(kind: FaultKind, n?: number, match?: FaultMatch): void;
  clearFaults(): void;
  setLatency(latencyMs: number, jitterMs?: number): void;
  setConcurrencyLimit(n: number): void;
}

const VERSION = 'v1.0';
const LOG_LIMIT = 20_000;

function counter(): RequestCounter {
  return { total: 0, byMethod: {}, byStatus: {} };
}

function emptyStats(): GraphStats {
  return {
    requests: counter(),
    outlookRequests: counter(),
    batches: 0,
    subRequests: 0,
    throttled: 0,
    concurrencyRejections: 0,
    maxConcurrency: 0,
    writes: {
      create: 0,
      createDeduplicated: 0,
      update: 0,
      delete: 0,
      calendarCreate: 0,
      categoryCreate: 0,
      categoryUpdate: 0,
    },
    faults: {},
  };
}

function bump(c: RequestCounter, method: string, status: number) {
  c.total++;
  c.byMethod[method] = (c.byMethod[method] ?? 0) + 1;
  c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
}

function lowerHeaders(h: Record<string, unknown> | undefined): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(h ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

/** One Outlook request, whether it came over HTTP or inside a $batch. */
interface OutlookRequest {
  appId: string;
  method: string;
  /** Path and query relative to the version root, e.g. `/users/x/events?$top=5`. */
  url: string;
  headers: Headers;
  body: unknown;
  inBatch: boolean;
}

type WriteKind = keyof GraphStats['writes'];

interface Routed {
  response: EmulatedResponse;
  write?: WriteKind;
  mailbox?: string;
  eventId?: string;
}

/** Whether the request `id` itself depends on another (then it cannot be the one shared dependency). */
function byIdDepends(items: { id: string; dependsOn: string[] }[], id: string | undefined): boolean {
  return !!items.find((i) => i.id === id)?.dependsOn.length;
}

const json = (status: number, body: unknown, headers: Headers = {}): EmulatedResponse => ({
  status,
  headers: {
    'Content-Type':
      'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
    ...headers,
  },
  body,
});

export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const random = seededRandom(opts.seed ?? Date.now());
  const store = new MailboxStore(opts.autoCreateMailboxes ?? true);
  const faults = new FaultInjector(random);
  if (opts.faults) faults.set(opts.faults);
  let latencyMs = opts.latencyMs ?? 0;
  let jitterMs = opts.jitterMs ?? 0;
  let concurrencyLimit = opts.concurrencyLimit ?? 4;
  const retryAfter = String(opts.retryAfterSeconds ?? 1);
  const quota =
    opts.mailboxRequestLimit === undefined ? { requests: 10_000, windowMs: 600_000 } : opts.mailboxRequestLimit;
  const maxBatch = opts.maxBatchSize ?? 20;
  const authenticate =
    opts.authenticate ??
    ((t: string): TokenCheck => (t ? { ok: true, appId: 'app' } : { ok: false, message: 'Access token is empty.' }));
  const inFlight = new Map<string, number>();
  const quotaWindows = new Map<string, { start: number; count: number }>();
  const closing = new AbortController();
  let stats = emptyStats();
  let log: LoggedRequest[] = [];
  let origin = '';

  const eventNames = new Set(eventPropertyNames());
  const EXPANDABLE = new Set(['singleValueExtendedProperties', 'multiValueExtendedProperties']);

  function checkSelectExpand(o: ListOptions) {
    for (const name of o.select ?? []) {
      if (!eventNames.has(name)) {
        throw badRequest(
          'RequestBroker--ParseUri',
          `Could not find a property named '${name}' on type 'microsoft.graph.event'.`,
        );
      }
    }
    for (const e of o.expand) {
      if (!eventNames.has(e.property)) {
        throw badRequest(
          'RequestBroker--ParseUri',
          `Could not find a property named '${e.property}' on type 'microsoft.graph.event'.`,
        );
      }
      if (!EXPANDABLE.has(e.property))
        throw badRequest('BadRequest', `The emulator does not implement $expand=${e.property}.`);
    }
  }

  /** The filter's view of an event: the fields worth filtering on, in UTC, plus extended properties. */
  function filterView(ev: EventRecord): Record<string, unknown> {
    const p = ev.props;
    return {
      id: ev.id,
      seriesMasterId: ev.seriesMasterId ?? null,
      originalStart:
        ev.originalStartMs === undefined ? null : new Date(ev.originalStartMs).toISOString().replace(/\.000Z$/, 'Z'),
      subject: p.subject ?? '',
      showAs: p.showAs ?? 'busy',
      type: p.type ?? 'singleInstance',
      isAllDay: p.isAllDay ?? false,
      isCancelled: false,
      importance: p.importance ?? 'normal',
      sensitivity: p.sensitivity ?? 'normal',
      categories: p.categories ?? [],
      transactionId: ev.transactionId ?? null,
      start: formatDateTimeTimeZone(ev.startMs, 'UTC', 'UTC'),
      end: formatDateTimeTimeZone(ev.endMs, 'UTC', 'UTC'),
      createdDateTime: new Date(ev.createdMs).toISOString(),
      lastModifiedDateTime: new Date(ev.modifiedMs).toISOString(),
      singleValueExtendedProperties: [...ev.single.values()],
      multiValueExtendedProperties: [...ev.multi.values()],
    };
  }

  /**
   * A page of events as Graph answers a collection of them: $filter, $orderby, $select, $expand,
   * $top/$skiptoken paging with an absolute nextLink, and Prefer for times and bodies.
   */
  function eventList(
    mb: MailboxRecord,
    all: EventRecord[],
    contextPath: string,
    pathForLinks: string,
    query: Map<string, string>,
    headers: Headers,
  ): EmulatedResponse {
    const o = parseListOptions(query);
    checkSelectExpand(o);
    const prefer = parsePrefer(headers.prefer);
    let events = all;
    if (o.filter) {
      const f = o.filter;
      events = events.filter((ev) => evaluateFilter(f, filterView(ev), extendedIdEquals));
    }
    if (o.orderby?.length) {
      const key = (ev: EventRecord, path: string[]) =>
        path.reduce<unknown>(
          (acc, seg) => (acc as Record<string, unknown> | undefined)?.[seg],
          filterView(ev),
        ) as string;
      events = [...events].sort((a, b) => {
        for (const ob of o.orderby!) {
          const x = key(a, ob.path);
          const y = key(b, ob.path);
          if (x !== y) return (x < y ? -1 : 1) * (ob.desc ? -1 : 1);
        }
        return a.seq - b.seq || a.startMs - b.startMs;
      });
    }
    const page = events.slice(o.skip, o.skip + o.top);
    const body: Record<string, unknown> = {
      '@odata.context': `${origin}/${VERSION}/$metadata#users('${encodeURIComponent(mb.address)}')/${contextPath}`,
    };
    if (o.count) body['@odata.count'] = events.length;
    body.value = page.map((ev) =>
      renderEvent(ev, {
        zone: prefer.zone,
        bodyContentType: prefer.bodyContentType,
        select: o.select,
        expand: o.expand,
        mailbox: mb,
      }),
    );
    if (o.skip + o.top < events.length)
      body['@odata.nextLink'] = nextLink(`${origin}/${VERSION}${pathForLinks}`, query, o.skip + o.top);
    return json(200, body, prefer.applied.length ? { 'Preference-Applied': prefer.applied.join(', ') } : {});
  }

  /** Like Graph's calendar event lists: single events and series masters, never their instances. */
  function listEvents(
    mb: MailboxRecord,
    calendarId: string,
    pathForLinks: string,
    query: Map<string, string>,
    headers: Headers,
  ): EmulatedResponse {
    return eventList(mb, store.listEvents(mb, calendarId), 'events', pathForLinks, query, headers);
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

  /** GET .../events/{id}/instances: the series' occurrences and exceptions overlapping the window, by start. */
  function listInstances(
    mb: MailboxRecord,
    ev: EventRecord,
    pathForLinks: string,
    query: Map<string, string>,
    headers: Headers,
  ): EmulatedResponse {
    const { fromMs, toMs } = timeWindow(query);
    const inWindow = store
      .instances(ev)
      .filter((i) => i.startMs < toMs && (i.endMs > fromMs || (i.endMs === i.startMs && i.startMs >= fromMs)));
    return eventList(mb, inWindow, `events('${ev.id}')/instances`, pathForLinks, query, headers);
  }

  function singleEvent(
    mb: MailboxRecord,
    ev: EventRecord,
    status: number,
    query: Map<string, string>,
    headers: Headers,
  ): EmulatedResponse {
    const o = parseListOptions(query);
    checkSelectExpand(o);
    const prefer = parsePrefer(headers.prefer);
    const body = {
      '@odata.context': `${origin}/${VERSION}/$metadata#users('${encodeURIComponent(mb.address)}')/events/$entity`,
      ...renderEvent(ev, {
        zone: prefer.zone,
        bodyContentType: prefer.bodyContentType,
        select: o.select,
        expand: o.expand,
        mailbox: mb,
      }),
    };
    return json(status, body, prefer.applied.length ? { 'Preference-Applied': prefer.applied.join(', ') } : {});
  }

  function listOf(
    items: Record<string, unknown>[],
    context: string,
    pathForLinks: string,
    query: Map<string, string>,
  ): EmulatedResponse {
    const o = parseListOptions(query);
    let list = items;
    if (o.filter) {
      const f = o.filter;
      list = list.filter((x) => evaluateFilter(f, x));
    }
    const page = list.slice(o.skip, o.skip + o.top);
    const body: Record<string, unknown> = {
      '@odata.context': `${origin}/${VERSION}/$metadata#${context}`,
      value: page,
    };
    if (o.skip + o.top < list.length)
      body['@odata.nextLink'] = nextLink(`${origin}/${VERSION}${pathForLinks}`, query, o.skip + o.top);
    return json(200, body);
  }

  const methodNotAllowed = () =>
    new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

  /** Executes one Outlook request against the store (no faults, limits or latency here). */
  function route(r: OutlookRequest): Routed {
    const qPos = r.url.indexOf('?');
    const path = qPos === -1 ? r.url : r.url.slice(0, qPos);
    const query = parseQueryString(qPos === -1 ? '' : r.url.slice(qPos + 1));
    let segs: string[];
    try {
      segs = path
        .split('/')
        .filter(Boolean)
        .map((s) => decodeURIComponent(s));
    } catch {
      throw badRequest('BadRequest', 'Invalid request URL.');
    }
    const lower = segs.map((s) => s.toLowerCase());
    if (lower[0] === 'me')
      throw badRequest('BadRequest', '/me request is only valid with delegated authentication flow.');
    if (lower[0] !== 'users' || segs.length < 3) {
      throw badRequest(
        'BadRequest',
        `Resource not found for the segment '${segs[segs.length > 1 && lower[0] === 'users' ? 1 : 0] ?? ''}'.`,
      );
    }
    const mb = store.resolve(segs[1]!);
    const rest = lower.slice(2);
    const restRaw = segs.slice(2);
    const m = r.method;
    const base = { mailbox: mb.address };
    const eventsIn = (calendarId: string, listPath: string): Routed => {
      if (m === 'GET') return { ...base, response: listEvents(mb, calendarId, listPath, query, r.headers) };
      if (m === 'POST') {
        const { event, deduplicated } = store.createEvent(mb, calendarId, r.body, 'app');
        const resp = singleEvent(mb, event, 201, query, r.headers);
        resp.headers.Location = `${origin}/${VERSION}/users('${mb.id}')/events('${event.id}')`;
        return { ...base, response: resp, write: deduplicated ? 'createDeduplicated' : 'create', eventId: event.id };
      }
      throw methodNotAllowed();
    };
    const oneEvent = (id: string, calendarId?: string): Routed => {
      const ev = store.event(mb, id);
      if (calendarId && ev.calendarId !== calendarId)
        throw new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      if (m === 'GET') return { ...base, eventId: id, response: singleEvent(mb, ev, 200, query, r.headers) };
      if (m === 'PATCH') {
        const updated = store.updateEvent(mb, id, r.body);
        return { ...base, eventId: id, response: singleEvent(mb, updated, 200, query, r.headers), write: 'update' };
      }
      if (m === 'DELETE') {
        store.deleteEvent(mb, id);
        return { ...base, eventId: id, response: { status: 204, headers: {} }, write: 'delete' };
      }
      throw methodNotAllowed();
    };
    const pathFor = (...tail: string[]) =>
      `/users/${encodeURIComponent(segs[1]!)}/${tail.map(encodeURIComponent).join('/')}`;
    const instancesOf = (id: string, listPath: string, calendarId?: string): Routed => {
      if (m !== 'GET') throw methodNotAllowed();
      const ev = store.event(mb, id);
      if (calendarId && ev.calendarId !== calendarId)
        throw new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
      return { ...base, eventId: id, response: listInstances(mb, ev, listPath, query, r.headers) };
    };

    if (rest[0] === 'events') {
      if (rest.length === 1) return eventsIn(mb.defaultCalendarId, pathFor('events'));
      if (rest.length === 2) return oneEvent(restRaw[1]!);
      if (rest.length === 3 && rest[2] === 'instances')
        return instancesOf(restRaw[1]!, pathFor('events', restRaw[1]!, 'instances'));
    }
    if (rest[0] === 'calendar') {
      if (rest.length === 1) {
        if (m !== 'GET') throw methodNotAllowed();
        return { ...base, response: json(200, store.renderCalendar(mb, store.calendar(mb, mb.defaultCalendarId))) };
      }
      if (rest[1] === 'events' && rest.length === 2)
        return eventsIn(mb.defaultCalendarId, pathFor('calendar', 'events'));
      if (rest[1] === 'events' && rest.length === 3) return oneEvent(restRaw[2]!, mb.defaultCalendarId);
      if (rest[1] === 'events' && rest.length === 4 && rest[3] === 'instances') {
        return instancesOf(restRaw[2]!, pathFor('calendar', 'events', restRaw[2]!, 'instances'), mb.defaultCalendarId);
      }
    }
    if (rest[0] === 'calendars') {
      if (rest.length === 1) {
        if (m === 'GET') {
          const cals = [...mb.calendars.values()].sort((a, b) => a.seq - b.seq).map((c) => store.renderCalendar(mb, c));
          return {
            ...base,
            response: listOf(cals, `users('${encodeURIComponent(mb.address)}')/calendars`, pathFor('calendars'), query),
          };
        }
        if (m === 'POST') {
          const cal = store.createCalendar(mb, (r.body ?? {}) as Record<string, unknown>);
          return { ...base, response: json(201, store.renderCalendar(mb, cal)), write: 'calendarCreate' };
        }
        throw methodNotAllowed();
      }
      const calId = restRaw[1]!;
      if (rest.length === 2) {
        if (m === 'GET') return { ...base, response: json(200, store.renderCalendar(mb, store.calendar(mb, calId))) };
        if (m === 'PATCH')
          return {
            ...base,
            response: json(
              200,
              store.renderCalendar(mb, store.updateCalendar(mb, calId, (r.body ?? {}) as Record<string, unknown>)),
            ),
          };
        if (m === 'DELETE') {
          store.deleteCalendar(mb, calId);
          return { ...base, response: { status: 204, headers: {} } };
        }
        throw methodNotAllowed();
      }
      if (rest[2] === 'events') {
        store.calendar(mb, calId);
        if (rest.length === 3) return eventsIn(calId, pathFor('calendars', calId, 'events'));
        if (rest.length === 4) return oneEvent(restRaw[3]!, calId);
        if (rest.length === 5 && rest[4] === 'instances')
          return instancesOf(restRaw[3]!, pathFor('calendars', calId, 'events', restRaw[3]!, 'instances'), calId);
      }
    }
    if (rest[0] === 'outlook' && rest[1] === 'mastercategories') {
      if (rest.length === 2) {
        if (m === 'GET') {
          const value = [...mb.categories.values()].map((c) => store.renderCategory(c));
          return {
            ...base,
            response: json(200, {
              '@odata.context': `${origin}/${VERSION}/$metadata#users('${encodeURIComponent(mb.address)}')/outlook/masterCategories`,
              value,
            }),
          };
        }
        if (m === 'POST') {
          const cat = store.createCategory(mb, (r.body ?? {}) as Record<string, unknown>);
          return { ...base, response: json(201, store.renderCategory(cat)), write: 'categoryCreate' };
        }
        throw methodNotAllowed();
      }
      if (rest.length === 3) {
        const id = restRaw[2]!;
        if (m === 'GET') return { ...base, response: json(200, store.renderCategory(store.category(mb, id))) };
        if (m === 'PATCH') {
          return {
            ...base,
            response: json(
              200,
              store.renderCategory(store.updateCategory(mb, id, (r.body ?? {}) as Record<string, unknown>)),
            ),
            write: 'categoryUpdate',
          };
        }
        if (m === 'DELETE') {
          store.category(mb, id);
          mb.categories.delete(id);
          return { ...base, response: { status: 204, headers: {} } };
        }
        throw methodNotAllowed();
      }
    }
    throw badRequest('BadRequest', `Resource not found for the segment '${restRaw[restRaw.length - 1] ?? ''}'.`);
  }

  function mailboxOf(url: string): string | undefined {
    const m = /^\/users\/([^/?]+)/i.exec(url);
    if (!m) return undefined;
    try {
      return decodeURIComponent(m[1]!).toLowerCase();
    } catch {
      return undefined;
    }
  }

  const throttled = (message: string) =>
    graphError(429, 'ApplicationThrottled', message, { 'Retry-After': retryAfter });

  /** One Outlook request with faults, quota, the concurrency limit and latency applied. */
  async function runOutlook(r: OutlookRequest): Promise<EmulatedResponse> {
    const path = r.url.split('?')[0]!;
    const mailbox = mailboxOf(r.url);
    const isCreate = r.method === 'POST' && /\/events\/?$/i.test(path);
    const fault = faults.forRequest({ method: r.method, path, mailbox, isCreate });
    const entry: LoggedRequest = {
      at: Date.now(),
      method: r.method,
      path,
      status: 0,
      mailbox,
      inBatch: r.inBatch,
      fault,
    };
    const finish = (resp: EmulatedResponse, routed?: Routed): EmulatedResponse => {
      entry.status = resp.status;
      entry.eventId = routed?.eventId;
      if (resp.status === 429) stats.throttled++;
      bump(stats.outlookRequests, r.method, resp.status);
      if (r.inBatch) stats.subRequests++;
      if (routed?.write && resp.status < 300) stats.writes[routed.write]++;
      log.push(entry);
      if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT / 2);
      resp.headers['request-id'] ??= randomUUID();
      return resp;
    };
    if (fault === '429') return finish(throttled('Application is over its MailboxConcurrency limit.'));
    if (fault === '503')
      return finish(graphError(503, 'ServiceUnavailable', 'Service Unavailable', { 'Retry-After': retryAfter }));
    if (fault === '504') return finish(graphError(504, 'GatewayTimeout', 'Gateway Timeout'));
    if (fault === '500')
      return finish(
        graphError(500, 'ErrorInternalServerError', 'An internal server error occurred. The operation failed.'),
      );
    if (fault === 'timeout') {
      await sleep(faults.hangMs, closing.signal);
      return finish(graphError(504, 'GatewayTimeout', 'Gateway Timeout'));
    }
    if (quota && mailbox) {
      const key = `${r.appId}|${mailbox}`;
      const now = Date.now();
      let w = quotaWindows.get(key);
      if (!w || now - w.start >= quota.windowMs) quotaWindows.set(key, (w = { start: now, count: 0 }));
      if (++w.count > quota.requests) return finish(throttled('Application is over its MailboxQuota limit.'));
    }
    const current = inFlight.get(r.appId) ?? 0;
    if (current >= concurrencyLimit) {
      stats.concurrencyRejections++;
      return finish(throttled('Application is over its MailboxConcurrency limit.'));
    }
    inFlight.set(r.appId, current + 1);
    stats.maxConcurrency = Math.max(stats.maxConcurrency, current + 1);
    let routed: Routed | undefined;
    let resp: EmulatedResponse;
    try {
      await sleep(latencyMs + (jitterMs > 0 ? Math.floor(random() * jitterMs) : 0), closing.signal);
      try {
        routed = route(r);
        resp = routed.response;
      } catch (err) {
        if (err instanceof GraphHttpError) resp = err.toResponse();
        else throw err;
      }
    } finally {
      inFlight.set(r.appId, (inFlight.get(r.appId) ?? 1) - 1);
    }
    if (resp.status === 201 && (fault === '503AfterCreate' || fault === 'timeoutAfterCreate')) {
      if (fault === 'timeoutAfterCreate') await sleep(faults.hangMs, closing.signal);
      const failed =
        fault === '503AfterCreate'
          ? graphError(503, 'ServiceUnavailable', 'Service Unavailable', { 'Retry-After': retryAfter })
          : graphError(504, 'GatewayTimeout', 'Gateway Timeout');
      return finish(failed, routed);
    }
    return finish(resp, routed);
  }

  interface BatchItem {
    id: string;
    method: string;
    url: string;
    headers: Headers;
    body?: unknown;
    dependsOn: string[];
  }

  function parseBatch(body: unknown): BatchItem[] {
    const invalid = (msg: string) => badRequest('BadRequest', msg);
    const requests = (body as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(requests)) throw invalid('Invalid batch payload format.');
    if (requests.length === 0) throw invalid('Invalid batch payload format: the batch has no requests.');
    if (requests.length > maxBatch)
      throw invalid(`The number of requests in the batch (${requests.length}) exceeds the limit of ${maxBatch}.`);
    const items: BatchItem[] = requests.map((raw: unknown) => {
      const x = (raw ?? {}) as Record<string, unknown>;
      if (typeof x.id !== 'string' || !x.id) throw invalid('Each request in a batch needs a non-empty string id.');
      if (typeof x.method !== 'string' || !['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(x.method.toUpperCase())) {
        throw invalid(`Request id : ${x.id} has an invalid method.`);
      }
      if (typeof x.url !== 'string' || !x.url) throw invalid(`Request id : ${x.id} has no url.`);
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(x.url))
        throw invalid(`Request id : ${x.id}: the url must be relative, e.g. /users/{id}/events.`);
      const headers = lowerHeaders(x.headers as Record<string, unknown> | undefined);
      const method = x.method.toUpperCase();
      if (x.body !== undefined && !headers['content-type']) {
        throw invalid(`Write request id : ${x.id} does not contain Content-Type header or body.`);
      }
      if ((method === 'POST' || method === 'PATCH' || method === 'PUT') && x.body === undefined) {
        throw invalid(`Write request id : ${x.id} does not contain Content-Type header or body.`);
      }
      const dependsOn = x.dependsOn === undefined ? [] : x.dependsOn;
      if (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string'))
        throw invalid(`Request id : ${x.id} has an invalid dependsOn.`);
      const url = x.url.startsWith('/') ? x.url : `/${x.url}`;
      return { id: x.id, method, url, headers, body: x.body, dependsOn: dependsOn as string[] };
    });
    const ids = new Set<string>();
    for (const it of items) {
      if (ids.has(it.id)) throw invalid(`Request id : ${it.id} is not unique in the batch.`);
      ids.add(it.id);
    }
    for (const it of items)
      for (const d of it.dependsOn)
        if (!ids.has(d)) throw invalid(`Request id : ${it.id} depends on unknown request id ${d}.`);
    // Graph runs only these shapes: all parallel, a serial chain in listed order, or all dependents on one request.
    const dependents = items.filter((it) => it.dependsOn.length);
    const serial = items.every((it, i) =>
      i === 0 ? it.dependsOn.length === 0 : it.dependsOn.length === 1 && it.dependsOn[0] === items[i - 1]!.id,
    );
    const anchor = dependents[0]?.dependsOn[0];
    const same =
      dependents.every((it) => it.dependsOn.length === 1 && it.dependsOn[0] === anchor) && !byIdDepends(items, anchor);
    if (dependents.length && !serial && !same)
      throw invalid('Batch should be either fully sequential or fully parallel');
    const state = new Map<string, 'visiting' | 'done'>();
    const byId = new Map(items.map((i) => [i.id, i]));
    const visit = (id: string) => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw invalid('The dependsOn of the batch requests form a cycle.');
      state.set(id, 'visiting');
      for (const d of byId.get(id)!.dependsOn) visit(d);
      state.set(id, 'done');
    };
    for (const it of items) visit(it.id);
    return items;
  }

  async function runBatch(appId: string, body: unknown): Promise<EmulatedResponse> {
    stats.batches++;
    const items = parseBatch(body);
    const fault = faults.forBatch();
    if (fault === 'batch429') {
      stats.throttled++;
      return throttled('Application is over its MailboxConcurrency limit.');
    }
    if (fault === 'batch503')
      return graphError(503, 'ServiceUnavailable', 'Service Unavailable', { 'Retry-After': retryAfter });
    if (fault === 'batchTimeout') {
      await sleep(faults.hangMs, closing.signal);
      return graphError(504, 'GatewayTimeout', 'Gateway Timeout');
    }
    const responses: Record<string, unknown>[] = [];
    const results = new Map<string, Promise<number>>();
    const run = (it: BatchItem): Promise<number> => {
      const existing = results.get(it.id);
      if (existing) return existing;
      const p = (async () => {
        const depStatuses = await Promise.all(it.dependsOn.map((d) => run(items.find((x) => x.id === d)!)));
        let resp: EmulatedResponse;
        if (depStatuses.some((s) => s < 200 || s >= 300)) {
          resp = graphError(424, 'FailedDependency', 'The request depends on a request that failed.');
          bump(stats.outlookRequests, it.method, 424);
          stats.subRequests++;
        } else {
          let parsedBody = it.body;
          if (typeof parsedBody === 'string' && /json/i.test(it.headers['content-type'] ?? '')) {
            try {
              parsedBody = JSON.parse(parsedBody);
            } catch {
              /* keep the string: the handler answers 400 */
            }
          }
          resp = await runOutlook({
            appId,
            method: it.method,
            url: it.url,
            headers: it.headers,
            body: parsedBody,
            inBatch: true,
          });
        }
        const entry: Record<string, unknown> = { id: it.id, status: resp.status, headers: resp.headers };
        if (resp.body !== undefined && resp.status !== 204) entry.body = resp.body;
        responses.push(entry);
        return resp.status;
      })();
      results.set(it.id, p);
      return p;
    };
    await Promise.all(items.map(run));
    return json(200, { responses });
  }

  async function handleHttp(req: IncomingMessage): Promise<EmulatedResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    if (rawUrl.startsWith('/_emulator/')) return admin(method, rawUrl, req);
    const prefix = `/${VERSION}`;
    if (!(rawUrl === prefix || rawUrl.startsWith(`${prefix}/`) || rawUrl.startsWith(`${prefix}?`))) {
      return graphError(400, 'BadRequest', `Invalid version: ${rawUrl.split('/')[1] ?? ''}`);
    }
    const auth = req.headers.authorization ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? '';
    const unauthorized = (message: string) =>
      graphError(401, 'InvalidAuthenticationToken', message, {
        'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
      });
    if (!bearer) return unauthorized('Access token is empty.');
    const check = await authenticate(bearer);
    if (!check.ok) return unauthorized(check.message);
    const text = await readBody(req);
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return graphError(
          400,
          'BadRequest',
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        );
      }
    }
    const url = rawUrl.slice(prefix.length) || '/';
    const path = url.split('?')[0]!;
    if (path === '/$batch' || path === '/%24batch') {
      if (method !== 'POST')
        return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
      return runBatch(check.appId, body);
    }
    return runOutlook({
      appId: check.appId,
      method,
      url,
      headers: lowerHeaders(req.headers as Record<string, unknown>),
      body,
      inBatch: false,
    });
  }

  // ---------- inspection ----------

  function inspect(mb: MailboxRecord, ev: EventRecord): InspectedEvent {
    const graph = renderEvent(ev, {
      zone: UTC_ZONE,
      mailbox: mb,
      expand: [{ property: 'singleValueExtendedProperties' }],
    });
    const extendedProperties: Record<string, string> = {};
    for (const x of ev.single.values()) extendedProperties[x.id] = x.value;
    return {
      id: ev.id,
      calendarId: ev.calendarId,
      createdBy: ev.createdBy,
      transactionId: ev.transactionId,
      subject: graph.subject as string,
      showAs: graph.showAs as string,
      categories: graph.categories as string[],
      isReminderOn: graph.isReminderOn as boolean,
      body: graph.body as InspectedEvent['body'],
      location: graph.location as InspectedEvent['location'],
      locations: graph.locations as InspectedEvent['locations'],
      startUtc: new Date(ev.startMs).toISOString(),
      endUtc: new Date(ev.endMs).toISOString(),
      originalStartTimeZone: ev.startTimeZone,
      type: graph.type as string,
      ...(ev.originalStartMs !== undefined ? { originalStartUtc: new Date(ev.originalStartMs).toISOString() } : {}),
      extendedProperties,
      graph,
    };
  }

  function mailboxFor(address: string): MailboxRecord {
    const mb = store.find(address);
    if (!mb) throw new Error(`graph emulator: no mailbox ${address}`);
    return mb;
  }

  function userEvent(mailbox: string, event: Record<string, unknown>, o: { calendarId?: string } = {}): InspectedEvent {
    const mb = store.find(mailbox) ?? store.addMailbox(mailbox);
    const start = new Date(Date.now() + 86_400_000);
    start.setUTCMinutes(0, 0, 0);
    const defaults = {
      subject: 'Lunch with a friend',
      start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
      end: { dateTime: new Date(start.getTime() + 3_600_000).toISOString().slice(0, 19), timeZone: 'UTC' },
    };
    const { event: ev } = store.createEvent(
      mb,
      o.calendarId ?? mb.defaultCalendarId,
      { ...defaults, ...event },
      'user',
    );
    return inspect(mb, ev);
  }

  const api = {
    addMailbox(address: string, o?: { displayName?: string; state?: MailboxState }) {
      const mb = store.addMailbox(address, o);
      return { id: mb.id, address: mb.address };
    },
    events(mailbox: string, calendarId?: string): InspectedEvent[] {
      const mb = store.find(mailbox);
      return mb ? store.listEvents(mb, calendarId).map((ev) => inspect(mb, ev)) : [];
    },
    occurrences(mailbox: string, calendarId?: string): Occurrence<InspectedEvent>[] {
      const mb = store.find(mailbox);
      if (!mb) return [];
      const out: Occurrence<InspectedEvent>[] = [];
      for (const ev of store.listEvents(mb, calendarId)) {
        if (!ev.props.recurrence) out.push({ ...inspect(mb, ev), seriesMasterId: null });
        else for (const i of store.instances(ev)) out.push({ ...inspect(mb, i), seriesMasterId: ev.id });
      }
      return out.sort((a, b) => (a.startUtc < b.startUtc ? -1 : a.startUtc > b.startUtc ? 1 : 0));
    },
    event(mailbox: string, id: string): InspectedEvent | undefined {
      const mb = store.find(mailbox);
      if (!mb) return undefined;
      try {
        return inspect(mb, store.event(mb, id));
      } catch (err) {
        if (err instanceof GraphHttpError && err.status === 404) return undefined;
        throw err;
      }
    },
    addUserEvent: userEvent,
    userEdit(mailbox: string, id: string, patch: Record<string, unknown>): InspectedEvent {
      const mb = mailboxFor(mailbox);
      return inspect(mb, store.updateEvent(mb, id, patch));
    },
    userDelete(mailbox: string, id: string) {
      store.deleteEvent(mailboxFor(mailbox), id);
    },
    duplicateEvent(mailbox: string, id: string): InspectedEvent {
      const mb = mailboxFor(mailbox);
      return inspect(mb, store.duplicateEvent(mb, id));
    },
    calendars(mailbox: string) {
      const mb = store.find(mailbox);
      return mb
        ? [...mb.calendars.values()]
            .sort((a, b) => a.seq - b.seq)
            .map((c) => ({ id: c.id, name: c.name, isDefault: c.isDefault }))
        : [];
    },
    defaultCalendarId(mailbox: string) {
      return (store.find(mailbox) ?? store.addMailbox(mailbox)).defaultCalendarId;
    },
    categories(mailbox: string) {
      const mb = store.find(mailbox);
      return mb ? [...mb.categories.values()].map((c) => ({ ...c })) : [];
    },
    stats(): GraphStats {
      return structuredClone({ ...stats, faults: { ...faults.injected } });
    },
    resetStats() {
      stats = emptyStats();
      log = [];
      for (const k of Object.keys(faults.injected)) delete faults.injected[k];
    },
    requestLog: () => log.map((e) => ({ ...e })),
    setFaults: (f: Faults) => faults.set(f),
    failNext: (kind: FaultKind, n = 1, match?: FaultMatch) => faults.failNext(kind, n, match),
    clearFaults: () => faults.clear(),
    setLatency(l: number, j = 0) {
      latencyMs = l;
      jitterMs = j;
    },
    setConcurrencyLimit(n: number) {
      concurrencyLimit = n;
    },
  };

  /** The inspection API over HTTP, for drivers in another process (demo, chaos scripts). No auth: local use only. */
  async function admin(method: string, rawUrl: string, req: IncomingMessage): Promise<EmulatedResponse> {
    const url = new URL(rawUrl, 'https://localhost');
    const segs = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const text = await readBody(req);
    const ok = (b: unknown = { ok: true }) => json(200, b);
    try {
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const [a, mbox, c, id, e] = segs;
      if (method === 'GET' && a === 'stats') return ok(api.stats());
      if (method === 'POST' && a === 'stats' && mbox === 'reset') return (api.resetStats(), ok());
      if (method === 'GET' && a === 'log') return ok(api.requestLog());
      if (method === 'POST' && a === 'faults') return (api.setFaults(body as Faults), ok());
      if (method === 'DELETE' && a === 'faults') return (api.clearFaults(), ok());
      if (method === 'POST' && a === 'fail-next')
        return (api.failNext(body.kind as FaultKind, Number(body.n ?? 1), body.match as FaultMatch | undefined), ok());
      if (method === 'POST' && a === 'latency')
        return (api.setLatency(Number(body.latencyMs ?? 0), Number(body.jitterMs ?? 0)), ok());
      if (a === 'mailboxes' && !mbox && method === 'POST')
        return ok(api.addMailbox(String(body.address), body as { state?: MailboxState }));
      if (a === 'mailboxes' && mbox && c === 'calendars' && method === 'GET') return ok(api.calendars(mbox));
      if (a === 'mailboxes' && mbox && c === 'occurrences' && method === 'GET')
        return ok(api.occurrences(mbox, url.searchParams.get('calendarId') ?? undefined));
      if (a === 'mailboxes' && mbox && c === 'events') {
        if (!id && method === 'GET') return ok(api.events(mbox, url.searchParams.get('calendarId') ?? undefined));
        if (!id && method === 'POST') return json(201, api.addUserEvent(mbox, body));
        if (id && e === 'duplicate' && method === 'POST') return json(201, api.duplicateEvent(mbox, id));
        if (id && !e && method === 'PATCH') return ok(api.userEdit(mbox, id, body));
        if (id && !e && method === 'DELETE') return (api.userDelete(mbox, id), { status: 204, headers: {} });
      }
      return graphError(404, 'NotFound', `No emulator control endpoint ${method} ${url.pathname}`);
    } catch (err) {
      if (err instanceof GraphHttpError) return err.toResponse();
      return graphError(400, 'BadRequest', (err as Error).message);
    }
  }

  function handler(req: IncomingMessage, res: ServerResponse) {
    const method = (req.method ?? 'GET').toUpperCase();
    handleHttp(req)
      .catch((err: unknown): EmulatedResponse => {
        if (err instanceof GraphHttpError) return err.toResponse();
        return graphError(500, 'InternalServerError', `emulator error: ${(err as Error).message}`);
      })
      .then((r) => {
        if (!(req.url ?? '').startsWith('/_emulator/')) bump(stats.requests, method, r.status);
        r.headers['request-id'] ??= randomUUID();
        const clientRequestId = req.headers['client-request-id'];
        if (typeof clientRequestId === 'string') r.headers['client-request-id'] = clientRequestId;
        writeResponse(res, r);
      });
  }

  const server = await startHttpsServer(handler, { port: opts.port, certDir: opts.certDir });
  origin = server.origin;

  return {
    baseUrl: `${origin}/${VERSION}`,
    origin,
    port: server.port,
    close: async () => {
      closing.abort();
      await server.close();
    },
    ...api,
  };
}

// ---------- Graph + token endpoint together ----------

export interface MicrosoftEmulatorOptions extends Omit<GraphEmulatorOptions, 'authenticate'> {
  graphPort?: number;
  tokenPort?: number;
  tenantId?: string;
  clientId?: string;
  /** The registered client secret (default: a random one); null registers no secret. */
  clientSecret?: string | null;
  /** Also accept client assertions signed by this certificate's key. */
  clientCertificatePem?: string;
  extraClients?: ClientRegistration[];
  tokenLifetimeSeconds?: number;
}

export interface MicrosoftEmulator {
  graph: GraphEmulator;
  token: TokenEmulator;
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** AZURE_AUTHORITY_HOST */
  authorityHost: string;
  /** GRAPH_BASE_URL */
  graphBaseUrl: string;
  /** The AZURE_* and GRAPH_BASE_URL variables for kada's config. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the token endpoint and Graph on two ports; Graph accepts only tokens the endpoint issued. */
export async function startMicrosoftEmulator(opts: MicrosoftEmulatorOptions = {}): Promise<MicrosoftEmulator> {
  const clientId = opts.clientId ?? randomUUID();
  const clientSecret = opts.clientSecret === null ? undefined : (opts.clientSecret ?? `emu~${randomUUID()}`);
  let token: TokenEmulator | undefined;
  const graph = await startGraphEmulator({
    ...opts,
    port: opts.graphPort ?? opts.port,
    authenticate: (t) => (token ? token.verifyAccessToken(t) : { ok: false, message: 'token service not ready' }),
  });
  const tokenOpts: TokenEmulatorOptions = {
    port: opts.tokenPort,
    certDir: opts.certDir,
    tenantId: opts.tenantId,
    graphOrigin: graph.origin,
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds,
    seed: opts.seed,
    clients: [{ clientId, clientSecret, certificatePem: opts.clientCertificatePem }, ...(opts.extraClients ?? [])],
  };
  try {
    token = await startTokenEmulator(tokenOpts);
  } catch (err) {
    await graph.close();
    throw err;
  }
  const t = token;
  return {
    graph,
    token: t,
    tenantId: t.tenantId,
    clientId,
    clientSecret,
    authorityHost: t.authorityHost,
    graphBaseUrl: graph.baseUrl,
    env: () => ({
      AZURE_AUTHORITY_HOST: t.authorityHost,
      AZURE_TENANT_ID: t.tenantId,
      AZURE_CLIENT_ID: clientId,
      ...(clientSecret ? { AZURE_CLIENT_SECRET: clientSecret } : {}),
      GRAPH_BASE_URL: graph.baseUrl,
    }),
    close: async () => {
      await Promise.all([graph.close(), t.close()]);
    },
  };
}

if (require.main === module) {
  // `npx tsx testkit/graph/graphEmulator.ts [--graph-port N] [--token-port N] [--latency MS] [--jitter MS]
  //  [--concurrency N] [--tenant ID] [--client-id ID] [--client-secret S]`: prints the env lines for kada,
  // then serves until SIGINT/SIGTERM. The inspection API is at <graph origin>/_emulator/...
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  startMicrosoftEmulator({
    graphPort: num('graph-port'),
    tokenPort: num('token-port'),
    latencyMs: num('latency'),
    jitterMs: num('jitter'),
    concurrencyLimit: num('concurrency'),
    tenantId: arg('tenant'),
    clientId: arg('client-id'),
    clientSecret: arg('client-secret'),
  }).then(
    (emu) => {
      for (const [k, v] of Object.entries(emu.env())) process.stdout.write(`${k}=${v}\n`);
      const stop = () => void emu.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`graph emulator failed to start: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
