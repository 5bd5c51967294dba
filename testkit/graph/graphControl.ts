import type { IncomingMessage } from 'node:http';
import type { FaultKind, FaultMatch, Faults } from './graphFaults';
import { GraphHttpError, graphError, jsonResponse as json, readBody, type EmulatedResponse } from './graphHttp';
import type { GraphInspection } from './graphInspection';
import type { MailboxState } from './graphStore';

/**
 * The inspection API over HTTP (`/_emulator/...`), for drivers in another process (demo, chaos
 * scripts). No auth: local use only.
 */
export async function controlRequest(
  api: GraphInspection,
  method: string,
  rawUrl: string,
  req: IncomingMessage,
): Promise<EmulatedResponse> {
  const url = new URL(rawUrl, 'https://localhost');
  const segs = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const text = await readBody(req);
  try {
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    return (
      controlSettings(api, method, segs, body) ??
      controlMailboxes(api, method, segs, body, url.searchParams) ??
      graphError(404, 'NotFound', `No emulator control endpoint ${method} ${url.pathname}`)
    );
  } catch (err) {
    if (err instanceof GraphHttpError) return err.toResponse();
    return graphError(400, 'BadRequest', (err as Error).message);
  }
}

const ok = (b: unknown = { ok: true }) => json(200, b);

/** Counters, the request log, faults and latency. */
function controlSettings(
  api: GraphInspection,
  method: string,
  [a, sub]: string[],
  body: Record<string, unknown>,
): EmulatedResponse | undefined {
  if (method === 'GET' && a === 'stats') return ok(api.stats());
  if (method === 'POST' && a === 'stats' && sub === 'reset') return (api.resetStats(), ok());
  if (method === 'GET' && a === 'log') return ok(api.requestLog());
  if (method === 'POST' && a === 'faults') return (api.setFaults(body as Faults), ok());
  if (method === 'DELETE' && a === 'faults') return (api.clearFaults(), ok());
  if (method === 'POST' && a === 'fail-next')
    return (api.failNext(body.kind as FaultKind, Number(body.n ?? 1), body.match as FaultMatch | undefined), ok());
  if (method === 'PUT' && a === 'access-policy')
    return (api.setAccessPolicy({ mailboxes: (body.mailboxes as string[] | undefined) ?? [] }), ok());
  if (method === 'DELETE' && a === 'access-policy') return (api.setAccessPolicy(null), ok());
  if (method === 'POST' && a === 'concurrency') {
    const perMailbox =
      body.perMailbox === undefined ? undefined : body.perMailbox === null ? null : Number(body.perMailbox);
    return (api.setConcurrencyLimit(Number(body.limit ?? 4), perMailbox), ok());
  }
  if (method === 'POST' && a === 'latency')
    return (api.setLatency(Number(body.latencyMs ?? 0), Number(body.jitterMs ?? 0)), ok());
  return undefined;
}

/** Mailboxes, their calendars and events, and what a user does to them. */
function controlMailboxes(
  api: GraphInspection,
  method: string,
  [a, mbox, c, id, e]: string[],
  body: Record<string, unknown>,
  params: URLSearchParams,
): EmulatedResponse | undefined {
  if (a !== 'mailboxes') return undefined;
  if (!mbox && method === 'POST') return ok(api.addMailbox(String(body.address), body as { state?: MailboxState }));
  if (mbox && c === 'calendars' && method === 'GET') return ok(api.calendars(mbox));
  if (mbox && c === 'deleted-items') {
    if (!id && method === 'GET') return ok(api.deletedItems(mbox));
    if (id && e === 'restore' && method === 'POST') return ok(api.restoreDeleted(mbox, id));
  }
  if (mbox && c === 'occurrences' && method === 'GET')
    return ok(api.occurrences(mbox, params.get('calendarId') ?? undefined));
  if (mbox && c === 'events') {
    if (!id && method === 'GET') return ok(api.events(mbox, params.get('calendarId') ?? undefined));
    if (!id && method === 'POST') return json(201, api.addUserEvent(mbox, body));
    if (id && e === 'duplicate' && method === 'POST') return json(201, api.duplicateEvent(mbox, id));
    if (id && e === 'move' && method === 'POST') return ok(api.moveEvent(mbox, id, String(body.calendarId)));
    if (id && !e && method === 'PATCH') return ok(api.userEdit(mbox, id, body));
    if (id && !e && method === 'DELETE') return (api.userDelete(mbox, id), { status: 204, headers: {} });
  }
  return undefined;
}
