import type { FaultInjector } from './graphFaults';
import { badRequest, graphError, jsonResponse, sleep, type EmulatedResponse, type Headers } from './graphHttp';
import type { OutlookGate } from './graphOutlookGate';
import { DEFAULT_ROLES, type GrantedRoles } from './graphPermissions';
import type { OutlookRequest } from './graphRequest';
import { bump, type RequestRecorder } from './graphStats';

/** The Graph emulator's `$batch`: Graph's validation of the payload, then the sub-requests in dependency order. */

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Headers;
  body?: unknown;
  dependsOn: string[];
}

export interface BatchDeps {
  gate: OutlookGate;
  faults: FaultInjector;
  recorder: RequestRecorder;
  closing: AbortSignal;
  maxBatch: number;
}

export function lowerHeaders(h: Record<string, unknown> | undefined): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(h ?? {})) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

const invalid = (msg: string) => badRequest('BadRequest', msg);

/** One entry of `requests`, checked the way Graph checks it. */
function parseBatchItem(raw: unknown): BatchItem {
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
}

/** Whether the request `id` itself depends on another (then it cannot be the one shared dependency). */
function byIdDepends(items: BatchItem[], id: string | undefined): boolean {
  return !!items.find((i) => i.id === id)?.dependsOn.length;
}

/** Unique ids, known dependencies, one of Graph's shapes, no cycle. */
function checkDependencies(items: BatchItem[]) {
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
  if (dependents.length && !serial && !same) throw invalid('Batch should be either fully sequential or fully parallel');
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
}

function parseBatch(body: unknown, maxBatch: number): BatchItem[] {
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) throw invalid('Invalid batch payload format.');
  if (requests.length === 0) throw invalid('Invalid batch payload format: the batch has no requests.');
  if (requests.length > maxBatch)
    throw invalid(`The number of requests in the batch (${requests.length}) exceeds the limit of ${maxBatch}.`);
  const items = requests.map(parseBatchItem);
  checkDependencies(items);
  return items;
}

/** A sub-request's body as the handlers expect it: JSON given as a string is parsed, as Graph does. */
function subRequestBody(it: BatchItem): unknown {
  if (typeof it.body === 'string' && /json/i.test(it.headers['content-type'] ?? '')) {
    try {
      return JSON.parse(it.body);
    } catch {
      /* keep the string: the handler answers 400 */
    }
  }
  return it.body;
}

/** `roles`: the caller's token's; every sub-request is checked against them like a request of its own. */
export async function runBatch(
  d: BatchDeps,
  appId: string,
  body: unknown,
  roles: GrantedRoles = DEFAULT_ROLES,
): Promise<EmulatedResponse> {
  const stats = d.recorder.stats;
  stats.batches++;
  const items = parseBatch(body, d.maxBatch);
  const fault = d.faults.forBatch();
  if (fault === 'batch429') {
    stats.throttled++;
    return d.gate.throttled('Application is over its MailboxConcurrency limit.');
  }
  if (fault === 'batch503') return d.gate.unavailable();
  if (fault === 'batchTimeout') {
    await sleep(d.faults.hangMs, d.closing);
    return graphError(504, 'GatewayTimeout', 'Gateway Timeout');
  }
  const responses: Record<string, unknown>[] = [];
  const results = new Map<string, Promise<number>>();
  const run = (it: BatchItem): Promise<number> => {
    const existing = results.get(it.id);
    if (existing) return existing;
    const p = (async () => {
      const depStatuses = await Promise.all(it.dependsOn.map((dep) => run(items.find((x) => x.id === dep)!)));
      let resp: EmulatedResponse;
      if (depStatuses.some((s) => s < 200 || s >= 300)) {
        resp = graphError(424, 'FailedDependency', 'The request depends on a request that failed.');
        bump(d.recorder.stats.outlookRequests, it.method, 424);
        d.recorder.stats.subRequests++;
      } else {
        const sub: OutlookRequest = {
          appId,
          roles,
          method: it.method,
          url: it.url,
          headers: it.headers,
          body: subRequestBody(it),
          inBatch: true,
        };
        resp = await d.gate.run(sub);
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
  return jsonResponse(200, { responses });
}
