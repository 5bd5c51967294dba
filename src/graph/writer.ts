import type { Client } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import type { ObservedEvent } from '../desired/fingerprint';
import { tokenFailure } from './auth';
import { backoffMs, classify, retryAfterMs, type BackoffOptions, DEFAULT_BACKOFF } from './retryPolicy';
import { transactionIdFor } from './transactionId';

/**
 * GraphWriter: the one door to Graph. Every write goes through `$batch`; every request, batched or
 * not, takes one of `concurrency` slots (Outlook allows 4 concurrent requests per app, sub-requests
 * counted one by one). A batch is a serial chain (each sub-request `dependsOn` the previous one): real
 * Graph only allows parallel, serial or same-dependency batches, and a serial chain occupies exactly
 * one slot however long it is, so 4 chains of 20 keep all 4 slots busy with one HTTP request per 20
 * writes. Writes of many persons share batches.
 */

export type GraphWrite =
  /**
   * `transactionKey` (default `key`) names the create for Graph's de-duplication: a series master
   * written anew while its predecessor of the same key may still exist adds its content hash, so
   * Graph cannot answer the new create with the old master.
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

export interface GraphWriterOptions {
  client: Client;
  concurrency?: number;
  maxBatch?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoff?: BackoffOptions;
  logger?: Logger;
  metrics?: Metrics;
}

interface QueuedWrite {
  type: 'write';
  op: GraphWrite;
  priority: number;
  attempts: number;
  notBefore: number;
  seq: number;
  resolve: (r: GraphWriteResult) => void;
}

interface QueuedCall {
  type: 'call';
  run: () => Promise<void>;
  priority: number;
  notBefore: number;
  seq: number;
}

type Queued = QueuedWrite | QueuedCall;

export interface GraphWriterStats {
  httpRequests: number;
  batches: number;
  subRequests: number;
  throttled: number;
  retries: number;
  failed: number;
  writes: { create: number; update: number; delete: number };
  retryWaitMs: number;
  maxInFlight: number;
}

interface BatchResponse {
  responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[];
}

const encode = encodeURIComponent;

function requestFor(op: GraphWrite) {
  const base = `/users/${encode(op.mailbox)}`;
  switch (op.kind) {
    case 'create':
      return {
        method: 'POST',
        url: op.calendarId ? `${base}/calendars/${encode(op.calendarId)}/events` : `${base}/events`,
        headers: { 'Content-Type': 'application/json' },
        body: { ...op.body, transactionId: transactionIdFor(op.mailbox, op.transactionKey ?? op.key) },
      };
    case 'update':
      return {
        method: 'PATCH',
        url: `${base}/events/${encode(op.eventId)}`,
        headers: { 'Content-Type': 'application/json' },
        body: op.body,
      };
    case 'delete':
      return { method: 'DELETE', url: `${base}/events/${encode(op.eventId)}` };
    case 'read':
      return { method: 'GET', url: `${base}/${op.path}` };
  }
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : headers[k];
}

function errorOf(body: unknown): { code: string; message: string } {
  const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { code: e?.code ?? 'GraphError', message: e?.message ?? 'request failed' };
}

export class GraphWriter {
  private readonly client: Client;
  private readonly concurrency: number;
  private readonly maxBatch: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffOptions;
  private readonly log: Logger;
  private readonly metrics?: Metrics;
  private queue: Queued[] = [];
  private inFlight = 0;
  private effective: number;
  private okStreak = 0;
  private pausedUntil = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  /** Chains in flight: when they started and how many sub-requests they carry. */
  private readonly chains = new Set<{ start: number; length: number }>();
  /** Time per sub-request of a serial chain, learnt from finished chains (ms; 0 = not yet known). */
  private perRequestMs = 0;
  private readonly s: GraphWriterStats = {
    httpRequests: 0,
    batches: 0,
    subRequests: 0,
    throttled: 0,
    retries: 0,
    failed: 0,
    writes: { create: 0, update: 0, delete: 0 },
    retryWaitMs: 0,
    maxInFlight: 0,
  };

  constructor(opts: GraphWriterOptions) {
    this.client = opts.client;
    this.concurrency = opts.concurrency ?? 4;
    this.effective = this.concurrency;
    this.maxBatch = Math.min(20, opts.maxBatch ?? 20);
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.log = opts.logger ?? silentLogger;
    this.metrics = opts.metrics;
  }

  /** Queue one write; resolves when Graph has answered it for good (success or permanent failure). */
  write(op: GraphWrite, priority = 0): Promise<GraphWriteResult> {
    return new Promise((resolve) => {
      this.queue.push({ type: 'write', op, priority, attempts: 0, notBefore: 0, seq: this.seq++, resolve });
      this.schedule();
    });
  }

  writeAll(ops: GraphWrite[], priority = 0): Promise<GraphWriteResult[]> {
    return Promise.all(ops.map((op) => this.write(op, priority)));
  }

  /**
   * A single non-batched request (reads, calendars, categories) that takes one slot, with the same
   * throttling and retry rules as writes. `fn` gets an AbortSignal that fires at the timeout.
   */
  call<T>(
    fn: (client: Client, signal: AbortSignal) => Promise<T>,
    opts: { priority?: number; method?: string } = {},
  ): Promise<T> {
    const method = opts.method ?? 'GET';
    return new Promise<T>((resolve, reject) => {
      let attempts = 0;
      const entry = (): QueuedCall => ({
        type: 'call',
        priority: opts.priority ?? 0,
        notBefore: 0,
        seq: this.seq++,
        run: async () => {
          attempts++;
          this.s.httpRequests++;
          this.metrics?.graphHttpRequests.inc({ kind: 'single' });
          try {
            const value = await fn(this.client, AbortSignal.timeout(this.timeoutMs));
            this.count(method, 200);
            this.onOk();
            resolve(value);
          } catch (err) {
            const e = err as {
              statusCode?: number;
              headers?: Headers | Record<string, string>;
              code?: string;
              message?: string;
            };
            const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : 0;
            this.count(method, status);
            // A refused credential (wrong secret, tenant, scope) will not get better in a minute: fail now, loudly.
            const refused = tokenFailure(err)?.transient === false;
            const outcome = refused ? 'permanent' : classify(status, method);
            if ((outcome === 'throttled' || outcome === 'transient') && attempts < this.maxAttempts) {
              const ra = retryAfterMs(
                e.headers instanceof Headers ? e.headers.get('retry-after') : header(e.headers, 'retry-after'),
              );
              const wait = outcome === 'throttled' ? this.onThrottle(ra) : this.waitFor(attempts, ra);
              const next = entry();
              next.notBefore = Date.now() + wait;
              this.queue.push(next);
              this.schedule();
              return;
            }
            reject(err);
          }
        },
      });
      this.queue.push(entry());
      this.schedule();
    });
  }

  stats(): GraphWriterStats {
    return { ...this.s, writes: { ...this.s.writes } };
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  private schedule(delayMs = 0): void {
    if (delayMs > 0) {
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, delayMs);
      this.timer.unref?.();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: writes queued in the same turn of the event loop end up in the same batch.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      const now = Date.now();
      if (now < this.pausedUntil) {
        this.schedule(this.pausedUntil - now);
        return;
      }
      const free = this.effective - this.inFlight;
      if (free <= 0) return;
      const ready = this.takeReady(now, free * this.maxBatch);
      if (ready.length === 0) {
        const next = this.queue.reduce((min, q) => Math.min(min, q.notBefore), Infinity);
        if (next !== Infinity) this.schedule(Math.max(1, next - now));
        else this.notifyIdle();
        return;
      }
      const calls = ready.filter((q): q is QueuedCall => q.type === 'call');
      const writes = ready.filter((q): q is QueuedWrite => q.type === 'write');
      let slots = free;
      for (const c of calls) {
        if (slots <= 0) {
          this.queue.push(c);
          continue;
        }
        slots--;
        this.start(c.run());
      }
      if (writes.length === 0) continue;
      if (slots <= 0) {
        this.queue.push(...writes);
        return;
      }
      const per = this.chainLength(writes.length, slots, now);
      for (let i = 0; i < writes.length; i += per) {
        const chain = writes.slice(i, i + per);
        if (slots <= 0) {
          this.queue.push(...chain);
          continue;
        }
        slots--;
        this.start(this.sendChain(chain));
      }
    }
  }

  /**
   * How long the chains started now should be. With plenty queued, full batches. When the queue is
   * nearly drained, "water-filling": the work left (queued writes plus what the busy chains still
   * have to do) is shared so that every slot finishes at about the same time, instead of one slot
   * taking a last chain of 20 (20 × L) while the other three wait idle. Chain length costs nothing
   * in slot time (each sub-request takes L either way), only HTTP requests.
   */
  private chainLength(queued: number, freeSlots: number, now: number): number {
    const even = Math.min(this.maxBatch, Math.ceil(queued / Math.min(freeSlots, queued)));
    if (this.perRequestMs <= 0) return even;
    let busy = 0;
    for (const q of this.queue) if (q.type === 'write' && q.notBefore <= now) busy++; // ready but not taken yet
    for (const c of this.chains) busy += Math.max(0, c.start + c.length * this.perRequestMs - now) / this.perRequestMs;
    const share = Math.ceil((busy + queued) / Math.max(1, this.effective));
    return Math.max(1, Math.min(even, share));
  }

  /** Removes and returns up to `max` entries that may run now, highest priority first, oldest first. */
  private takeReady(now: number, max: number): Queued[] {
    const ready: Queued[] = [];
    const rest: Queued[] = [];
    for (const q of this.queue) (q.notBefore <= now ? ready : rest).push(q);
    ready.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    const taken = ready.slice(0, max);
    this.queue = rest.concat(ready.slice(max));
    return taken;
  }

  private start(p: Promise<void>): void {
    this.inFlight++;
    this.s.maxInFlight = Math.max(this.s.maxInFlight, this.inFlight);
    p.catch((err) => this.log.error({ err: String(err) }, 'graph writer: unexpected failure')).finally(() => {
      this.inFlight--;
      this.pump();
      this.notifyIdle();
    });
  }

  private notifyIdle(): void {
    if (this.queue.length === 0 && this.inFlight === 0 && this.idleWaiters.length) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async sendChain(chain: QueuedWrite[]): Promise<void> {
    const requests = chain.map((q, i) => ({
      id: String(i + 1),
      ...requestFor(q.op),
      ...(i > 0 ? { dependsOn: [String(i)] } : {}),
    }));
    this.s.httpRequests++;
    this.s.batches++;
    this.metrics?.graphHttpRequests.inc({ kind: 'batch' });
    let res: BatchResponse;
    const inFlight = { start: Date.now(), length: chain.length };
    this.chains.add(inFlight);
    try {
      res = (await this.client
        .api('/$batch')
        .options({ signal: AbortSignal.timeout(this.timeoutMs) })
        .post({ requests })) as BatchResponse;
      const perRequest = (Date.now() - inFlight.start) / chain.length;
      this.perRequestMs = this.perRequestMs > 0 ? 0.8 * this.perRequestMs + 0.2 * perRequest : perRequest;
    } catch (err) {
      const e = err as { statusCode?: number; headers?: Headers; message?: string };
      const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : 0;
      this.log.warn(
        { status, size: chain.length, error: e.message },
        'graph batch failed as a whole; retrying its writes',
      );
      const ra = retryAfterMs(e.headers instanceof Headers ? e.headers.get('retry-after') : undefined);
      const wait = status === 429 ? this.onThrottle(ra) : null;
      for (const q of chain)
        this.retry(
          q,
          status,
          wait ?? this.waitFor(q.attempts + 1, ra),
          'GraphBatchFailed',
          e.message ?? 'batch failed',
        );
      return;
    } finally {
      this.chains.delete(inFlight);
    }
    const byId = new Map((res.responses ?? []).map((r) => [r.id, r]));
    chain.forEach((q, i) => {
      const r = byId.get(String(i + 1));
      const status = r?.status ?? 0;
      const method = requestFor(q.op).method;
      this.s.subRequests++;
      this.count(method, status);
      const outcome = classify(status, method);
      switch (outcome) {
        case 'ok': {
          this.onOk();
          if (q.op.kind === 'read') {
            q.resolve({ ok: true, status, eventId: null, body: r?.body });
            return;
          }
          this.s.writes[q.op.kind]++;
          this.metrics?.graphWrites.inc({ kind: q.op.kind });
          const id =
            q.op.kind === 'create'
              ? ((r?.body as { id?: string } | undefined)?.id ?? null)
              : q.op.kind === 'update'
                ? q.op.eventId
                : null;
          const event =
            q.op.kind === 'create' && r?.body && typeof r.body === 'object' ? (r.body as ObservedEvent) : undefined;
          q.resolve({ ok: true, status, eventId: id, ...(event ? { event } : {}) });
          return;
        }
        case 'dependency':
          // Never ran because an earlier link of the chain failed: not this write's fault.
          q.notBefore = 0;
          this.queue.push(q);
          return;
        case 'throttled':
          this.retry(
            q,
            status,
            this.onThrottle(retryAfterMs(header(r?.headers, 'retry-after'))),
            'TooManyRequests',
            'throttled',
          );
          return;
        case 'transient':
          this.retry(
            q,
            status,
            this.waitFor(q.attempts + 1, retryAfterMs(header(r?.headers, 'retry-after'))),
            errorOf(r?.body).code,
            errorOf(r?.body).message,
          );
          return;
        case 'gone':
        case 'permanent': {
          const { code, message } = errorOf(r?.body);
          if (outcome === 'permanent') {
            this.s.failed++;
            this.log.warn(
              { status, code, mailbox: q.op.mailbox, key: q.op.key, kind: q.op.kind },
              'graph write refused',
            );
          }
          q.resolve({ ok: false, status, code, message, gone: outcome === 'gone' });
          return;
        }
      }
    });
    this.schedule();
  }

  private retry(q: QueuedWrite, status: number, waitMs: number, code: string, message: string): void {
    q.attempts++;
    if (q.attempts >= this.maxAttempts) {
      this.s.failed++;
      q.resolve({
        ok: false,
        status,
        code: 'GRAPH_RETRIES_EXHAUSTED',
        message: `${code}: ${message} (after ${q.attempts} attempts)`,
        gone: false,
      });
      return;
    }
    this.s.retries++;
    q.notBefore = Date.now() + waitMs;
    this.queue.push(q);
    this.schedule(Math.max(1, waitMs));
  }

  private waitFor(attempt: number, retryAfter: number | null): number {
    const wait = retryAfter ?? backoffMs(attempt, this.backoff);
    this.s.retryWaitMs += wait;
    this.metrics?.graphRetryWaitSeconds.inc(wait / 1000);
    return wait;
  }

  /** 429: everyone waits Retry-After, and one slot is given up until things have been calm for a while. */
  private onThrottle(retryAfter: number | null): number {
    this.s.throttled++;
    this.metrics?.graphThrottled.inc();
    const wait = retryAfter ?? backoffMs(2, this.backoff);
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
    this.effective = Math.max(1, this.effective - 1);
    this.okStreak = 0;
    this.s.retryWaitMs += wait;
    this.metrics?.graphRetryWaitSeconds.inc(wait / 1000);
    return wait;
  }

  private onOk(): void {
    if (this.effective >= this.concurrency) return;
    if (++this.okStreak >= 20) {
      this.effective++;
      this.okStreak = 0;
    }
  }

  private count(method: string, status: number): void {
    this.metrics?.graphRequests.inc({ method, status: String(status) });
  }
}
