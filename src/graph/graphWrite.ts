import type { ObservedEvent } from '../desired/fingerprint';
import { retryAfterMs } from '../domain/retryAfter';
import { IMMUTABLE_IDS } from './graphClient';
import { transactionIdFor } from './transactionId';

/** What the GraphWriter is asked to do, and what it answers: one Graph request each. */
export type GraphWrite =
  /**
   * `transactionKey` (default `key`) names the create for Graph's de-duplication: a re-create adds
   * the key's generation (transactionKeyOf), so Graph cannot answer it with the event it replaces.
   */
  | {
      kind: 'create';
      mailbox: string;
      calendarId: string | null;
      key: string;
      body: Record<string, unknown>;
      transactionKey?: string;
    }
  | { kind: 'update'; mailbox: string; eventId: string; key: string; body: Record<string, unknown> }
  | { kind: 'delete'; mailbox: string; eventId: string; key: string }
  /** A GET under /users/{mailbox}/ that rides in the same chains as writes (e.g. a series' instances). */
  | { kind: 'read'; mailbox: string; path: string; key: string };

export type GraphWriteResult =
  /** `event`: a create's answer as Graph gave it (an earlier create with the same transactionId, if there was one). */
  | { ok: true; status: number; eventId: string | null; event?: ObservedEvent; body?: unknown }
  | { ok: false; status: number; code: string; message: string; gone: boolean };

const encode = encodeURIComponent;

/** Sub-requests do not inherit the `$batch` request's headers: each asks for immutable ids itself (graph.md). */
const JSON_BODY = { 'Content-Type': 'application/json', Prefer: IMMUTABLE_IDS };

/**
 * The `$batch` sub-request (without id and dependsOn) that carries one write. kada's deletes are
 * permanent (api-reference/v1.0/api/event-permanentdelete): a copy left in Deleted Items could only
 * come back as a duplicate. The action takes no parameters; its empty JSON body is what batches want of a POST.
 */
export function requestFor(op: GraphWrite) {
  const base = `/users/${encode(op.mailbox)}`;
  switch (op.kind) {
    case 'create':
      return {
        method: 'POST',
        url: op.calendarId ? `${base}/calendars/${encode(op.calendarId)}/events` : `${base}/events`,
        headers: JSON_BODY,
        body: { ...op.body, transactionId: transactionIdFor(op.mailbox, op.transactionKey ?? op.key) },
      };
    case 'update':
      return {
        method: 'PATCH',
        url: `${base}/events/${encode(op.eventId)}`,
        headers: JSON_BODY,
        body: op.body,
      };
    case 'delete':
      return {
        method: 'POST',
        url: `${base}/events/${encode(op.eventId)}/permanentDelete`,
        headers: JSON_BODY,
        body: {},
      };
    case 'read':
      return { method: 'GET', url: `${base}/${op.path}`, headers: { Prefer: IMMUTABLE_IDS } };
  }
}

/** A `$batch` of the writes as a serial chain: each sub-request depends on the one before it. */
export function serialChain(ops: GraphWrite[]) {
  return ops.map((op, i) => ({ id: String(i + 1), ...requestFor(op), ...(i > 0 ? { dependsOn: [String(i)] } : {}) }));
}

/** The success answer of one write: a create's new id (and event), an update's own id. */
export function okResult(op: GraphWrite, status: number, body: unknown): GraphWriteResult {
  if (op.kind === 'read') return { ok: true, status, eventId: null, body };
  const id =
    op.kind === 'create'
      ? ((body as { id?: string } | undefined)?.id ?? null)
      : op.kind === 'update'
        ? op.eventId
        : null;
  const event = op.kind === 'create' && body && typeof body === 'object' ? (body as ObservedEvent) : undefined;
  return { ok: true, status, eventId: id, ...(event ? { event } : {}) };
}

/** The answer of a write that kept failing transiently until its attempts were spent. */
export function exhausted(status: number, code: string, message: string, attempts: number): GraphWriteResult {
  const why = `${code}: ${message} (after ${attempts} attempts)`;
  return { ok: false, status, code: 'GRAPH_RETRIES_EXHAUSTED', message: why, gone: false };
}

export function errorOf(body: unknown): { code: string; message: string } {
  const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { code: e?.code ?? 'GraphError', message: e?.message ?? 'request failed' };
}

type Headerish = Headers | Record<string, string> | undefined;

/** A header by name, case-insensitively, from a fetch Headers or a `$batch` sub-response's plain object. */
export function header(headers: Headerish, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : headers[k];
}

/** Status (0: no answer) and Retry-After of a request the Graph client threw for. */
export function failureOf(err: unknown, now: number): { status: number; retryAfter: number | null; message?: string } {
  const e = err as { statusCode?: number; headers?: Headerish; message?: string };
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : 0;
  return { status, retryAfter: retryAfterMs(header(e.headers, 'retry-after'), now), message: e.message };
}
