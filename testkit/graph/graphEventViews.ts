import { eventPropertyNames } from './graphEventSchema';
import { badRequest, jsonResponse, type EmulatedResponse, type Headers } from './graphHttp';
import { evaluateFilter, nextLink, parseListOptions, type ListOptions } from './graphQuery';
import { extendedIdEquals, renderEvent, type EventRecord, type MailboxRecord } from './graphStore';
import { formatDateTimeTimeZone, parsePrefer } from './graphTime';

/**
 * How the Graph emulator answers with events and other collections: OData paging, $filter,
 * $orderby, $select, $expand and Prefer, the way Graph renders them.
 */

/** Where the answers' absolute links point: `https://localhost:<port>/v1.0`, known once the server listens. */
export interface ServiceRoot {
  root: string;
}

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

function filteredAndOrdered(all: EventRecord[], o: ListOptions): EventRecord[] {
  let events = all;
  if (o.filter) {
    const f = o.filter;
    events = events.filter((ev) => evaluateFilter(f, filterView(ev), extendedIdEquals));
  }
  if (o.orderby?.length) {
    const key = (ev: EventRecord, path: string[]) =>
      path.reduce<unknown>((acc, seg) => (acc as Record<string, unknown> | undefined)?.[seg], filterView(ev)) as string;
    events = [...events].sort((a, b) => {
      for (const ob of o.orderby!) {
        const x = key(a, ob.path);
        const y = key(b, ob.path);
        if (x !== y) return (x < y ? -1 : 1) * (ob.desc ? -1 : 1);
      }
      return a.seq - b.seq || a.startMs - b.startMs;
    });
  }
  return events;
}

const preferenceApplied = (applied: string[]): Headers =>
  applied.length ? { 'Preference-Applied': applied.join(', ') } : {};

/** How one event is shown: the request's Prefer header (zone, body type, id kind) and its $select/$expand. */
function renderingFor(
  prefer: ReturnType<typeof parsePrefer>,
  o: ReturnType<typeof parseListOptions>,
  mailbox: MailboxRecord,
): Parameters<typeof renderEvent>[1] {
  return {
    zone: prefer.zone,
    bodyContentType: prefer.bodyContentType,
    immutableIds: prefer.immutableIds,
    select: o.select,
    expand: o.expand,
    mailbox,
  };
}

/**
 * A page of events as Graph answers a collection of them: $filter, $orderby, $select, $expand,
 * $top/$skiptoken paging with an absolute nextLink, and Prefer for times and bodies.
 */
export function eventList(
  svc: ServiceRoot,
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
  const events = filteredAndOrdered(all, o);
  const page = events.slice(o.skip, o.skip + o.top);
  const body: Record<string, unknown> = {
    '@odata.context': `${svc.root}/$metadata#users('${encodeURIComponent(mb.address)}')/${contextPath}`,
  };
  if (o.count) body['@odata.count'] = events.length;
  const rendering = renderingFor(prefer, o, mb);
  body.value = page.map((ev) => renderEvent(ev, rendering));
  if (o.skip + o.top < events.length)
    body['@odata.nextLink'] = nextLink(`${svc.root}${pathForLinks}`, query, o.skip + o.top);
  return jsonResponse(200, body, preferenceApplied(prefer.applied));
}

export function singleEvent(
  svc: ServiceRoot,
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
    '@odata.context': `${svc.root}/$metadata#users('${encodeURIComponent(mb.address)}')/events/$entity`,
    ...renderEvent(ev, renderingFor(prefer, o, mb)),
  };
  return jsonResponse(status, body, preferenceApplied(prefer.applied));
}

/** A page of plain objects (calendars): $filter and paging only. */
export function listOf(
  svc: ServiceRoot,
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
    '@odata.context': `${svc.root}/$metadata#${context}`,
    value: page,
  };
  if (o.skip + o.top < list.length)
    body['@odata.nextLink'] = nextLink(`${svc.root}${pathForLinks}`, query, o.skip + o.top);
  return jsonResponse(200, body);
}
