import type { Client } from '@microsoft/microsoft-graph-client';
import { type Backoff, backoffMs } from '../domain/backoff';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import { tokenFailure } from './auth';
import { ChainPace, holdSlot } from './chainPace';
import { exhausted, failureOf, type GraphWrite, type GraphWriteResult, requestFor, serialChain } from './graphWrite';
import { classify, DEFAULT_BACKOFF } from './retryPolicy';
import { type GraphScope, type SlotBudget, SlotGovernor } from './slotGovernor';
import { InFlightCount, laneOf, planStarts } from './startPlan';
import { type SubResponse, subAnswer } from './subAnswer';
import { type QueuedCall, type QueuedWrite, WriteQueue } from './writeQueue';
import { PumpTimer } from './pumpTimer';
import { type GraphWriterStats, WriterCounters } from './writerStats';

export type { GraphWrite, GraphWriteResult } from './graphWrite';
export type { GraphWriterStats } from './writerStats';

/**
 * GraphWriter: the one door to Graph. Every write goes through `$batch`; every request, batched or
 * not, takes a slot of the budget (Outlook allows 4 concurrent requests per app, sub-requests counted
 * one by one; SharedBudget shares them among all kada processes). A batch is a serial chain (each
 * sub-request `dependsOn` the previous one): real Graph only allows parallel, serial or same-dependency
 * batches, and a serial chain occupies exactly one slot however long it is, so 4 chains of 20 keep 4
 * slots busy with one HTTP request per 20 writes. Writes of many persons share batches.
 */

export interface GraphWriterOptions {
  client: Client;
  concurrency?: number;
  /** GRAPH_CONCURRENCY_SCOPE; with `budget` given, the budget's scope wins. */
  scope?: GraphScope;
  /** Where the slots come from: the installation's shared budget (SharedBudget); default this process alone. */
  budget?: SlotBudget;
  maxBatch?: number;
  /** Writes of this priority and above go one per request (a chain is answered only when its last write is done). */
  soloFrom?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoff?: Backoff;
  logger?: Logger;
  metrics?: Metrics;
}

export class GraphWriter {
  private readonly client: Client;
  private readonly maxBatch: number;
  private readonly soloFrom: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly queue = new WriteQueue();
  private readonly slots: SlotBudget;
  private readonly concurrency: number;
  private readonly counters: WriterCounters;
  private readonly timer = new PumpTimer(() => this.pump());
  private readonly inFlight = new InFlightCount();
  private idleWaiters: (() => void)[] = [];
  private readonly pace: ChainPace;

  constructor(opts: GraphWriterOptions) {
    this.client = opts.client;
    this.concurrency = opts.concurrency ?? 4;
    this.slots = opts.budget ?? new SlotGovernor(this.concurrency, opts.scope);
    this.slots.attach({ wake: () => this.timer.schedule(), inFlight: (lane) => this.inFlight.of(lane) });
    this.maxBatch = Math.min(20, opts.maxBatch ?? 20);
    this.soloFrom = opts.soloFrom ?? Infinity;
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.pace = new ChainPace(this.timeoutMs);
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.log = opts.logger ?? silentLogger;
    this.counters = new WriterCounters(opts.metrics);
  }

  /** Queue one write; resolves when Graph has answered it for good (success or permanent failure). */
  write(op: GraphWrite, priority = 0): Promise<GraphWriteResult> {
    return new Promise((resolve) => {
      this.queue.push({ type: 'write', op, priority, attempts: 0, notBefore: 0, seq: this.queue.nextSeq(), resolve });
      this.timer.schedule();
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
    opts: { priority?: number; method?: string; mailbox?: string } = {},
  ): Promise<T> {
    const method = opts.method ?? 'GET';
    return new Promise<T>((resolve, reject) => {
      let attempts = 0;
      const entry = (notBefore: number): QueuedCall => ({
        type: 'call',
        mailbox: opts.mailbox,
        priority: opts.priority ?? 0,
        notBefore,
        seq: this.queue.nextSeq(),
        run: async () => {
          attempts++;
          this.counters.httpRequest('single');
          const started = Date.now();
          try {
            const value = await fn(this.client, AbortSignal.timeout(this.timeoutMs));
            this.counters.answered(method, 200);
            this.slots.ok();
            resolve(value);
          } catch (err) {
            const { status, retryAfter } = failureOf(err, Date.now());
            this.counters.answered(method, status);
            // A refused credential (wrong secret, tenant, scope) will not get better in a minute: fail now, loudly.
            const refused = tokenFailure(err)?.transient === false;
            const outcome = refused ? 'permanent' : classify(status, method);
            // Timed out: it may still run at Graph; keep its slot (and its retry) until it cannot.
            await holdSlot(this.pace.stillRunningMs(1, status ? 0 : Date.now() - started));
            if ((outcome === 'throttled' || outcome === 'transient') && attempts < this.maxAttempts) {
              const wait = outcome === 'throttled' ? this.onThrottle(retryAfter) : this.waitFor(attempts, retryAfter);
              this.queue.push(entry(Date.now() + wait));
              this.timer.schedule();
              return;
            }
            reject(err);
          }
        },
      });
      this.queue.push(entry(0));
      this.timer.schedule();
    });
  }

  stats(): GraphWriterStats {
    return this.counters.snapshot();
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight.total === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Resolves once nothing is in flight. At shutdown: what still waits in the queue (a retry waiting out its
   * backoff) belongs to a job the pool released, which is redone from the start, so it is not waited for.
   */
  async settled(): Promise<void> {
    while (this.inFlight.total > 0) await new Promise((r) => setTimeout(r, 20));
  }

  get pending(): number {
    return this.queue.length + this.inFlight.total;
  }

  private pump(): void {
    for (;;) {
      const now = Date.now();
      if (now < this.slots.pausedUntil) {
        this.timer.schedule(this.slots.pausedUntil - now);
        return;
      }
      const waiting = this.queue.readyCount(now);
      const free = this.slots.room('', this.inFlight.total, Math.min(waiting, this.concurrency), now);
      // Nothing ready: wake for the next retry, or tell idle(). No slot: a finished request or the budget wakes us.
      if (waiting === 0) this.whenNothingReady(now);
      if (waiting === 0 || free <= 0) return;
      const byMailbox = this.slots.scope === 'mailbox';
      const ready = this.queue.takeReady(now, byMailbox ? Infinity : free * this.maxBatch);
      const plan = planStarts(ready, {
        free,
        laneOf: (q) => (byMailbox ? laneOf(q) : ''),
        laneRoom: (lane, want) => this.slots.room(lane, this.inFlight.of(lane), want, now),
        soloFrom: this.soloFrom,
        chainLength: (queued, freeSlots) =>
          this.pace.chainLength({
            queued,
            freeSlots,
            maxBatch: this.maxBatch,
            effectiveSlots: this.slots.effective,
            readyLeft: this.queue.readyWrites(now),
            now,
          }),
      });
      this.queue.push(...plan.left);
      for (const { call, lane } of plan.calls) this.start(call.run(), lane);
      for (const { chain, lane } of plan.chains) this.start(this.sendChain(chain), lane);
      if (plan.calls.length + plan.chains.length === 0) return;
    }
  }

  private whenNothingReady(now: number): void {
    const next = this.queue.nextDue();
    if (next !== Infinity) this.timer.schedule(Math.max(1, next - now));
    else this.notifyIdle();
  }

  private start(p: Promise<void>, lane: string): void {
    this.counters.inFlight(this.inFlight.add(lane));
    p.catch((err) => this.log.error({ err: String(err) }, 'graph writer: unexpected failure')).finally(() => {
      this.inFlight.remove(lane);
      this.pump();
      this.notifyIdle();
    });
  }

  private notifyIdle(): void {
    if (this.queue.length === 0 && this.inFlight.total === 0 && this.idleWaiters.length) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async sendChain(chain: QueuedWrite[]): Promise<void> {
    this.counters.httpRequest('batch');
    let responses: SubResponse[];
    const started = Date.now();
    const done = this.pace.begin(chain.length, started);
    try {
      const res = (await this.client
        .api('/$batch')
        .options({ signal: AbortSignal.timeout(this.timeoutMs) })
        .post({ requests: serialChain(chain.map((q) => q.op)) })) as { responses?: SubResponse[] };
      responses = res.responses ?? [];
    } catch (err) {
      const { status, retryAfter, message } = failureOf(err, Date.now());
      this.log.warn(
        { status, size: chain.length, error: message },
        'graph batch failed as a whole; retrying its writes',
      );
      // A chain abandoned at the timeout may still be running at Graph: its slot stays taken and its
      // writes wait until it cannot be, so Graph never sees more than `concurrency` requests of kada's.
      const hold = this.pace.stillRunningMs(chain.length, status ? 0 : Date.now() - started);
      const wait = status === 429 ? this.onThrottle(retryAfter) : null;
      for (const q of chain) {
        const waitMs = Math.max(hold, wait ?? this.waitFor(q.attempts + 1, retryAfter));
        this.retry(q, status, waitMs, 'GraphBatchFailed', message ?? 'batch failed');
      }
      done(false, Date.now());
      await holdSlot(hold);
      return;
    }
    done(true, Date.now());
    const byId = new Map(responses.map((r) => [r.id, r]));
    for (const [i, q] of chain.entries()) this.settle(q, byId.get(String(i + 1)));
    this.timer.schedule();
  }

  /** Acts on one write's sub-response: resolve it, or queue it again after the right wait. */
  private settle(q: QueuedWrite, r: SubResponse | undefined): void {
    const status = r?.status ?? 0;
    const method = requestFor(q.op).method;
    this.counters.answered(method, status, true);
    const a = subAnswer(q.op, method, r, Date.now());
    switch (a.kind) {
      case 'done':
        if (a.result.ok) {
          this.slots.ok();
          if (q.op.kind !== 'read') this.counters.written(q.op.kind);
        } else if (a.refused) {
          this.counters.failed();
          const { mailbox, key, kind } = q.op;
          this.log.warn({ status, code: a.result.code, mailbox, key, kind }, 'graph write refused');
        }
        q.resolve(a.result);
        return;
      case 'dependency':
        q.notBefore = 0;
        this.queue.push(q);
        return;
      case 'throttled':
        this.retry(q, status, this.onThrottle(a.retryAfter), 'TooManyRequests', 'throttled');
        return;
      case 'transient':
        this.retry(q, status, this.waitFor(q.attempts + 1, a.retryAfter), a.code, a.message);
        return;
    }
  }

  private retry(q: QueuedWrite, status: number, waitMs: number, code: string, message: string): void {
    q.attempts++;
    if (q.attempts >= this.maxAttempts) {
      this.counters.failed();
      q.resolve(exhausted(status, code, message, q.attempts));
      return;
    }
    this.counters.retried();
    q.notBefore = Date.now() + waitMs;
    this.queue.push(q);
    this.timer.schedule(Math.max(1, waitMs));
  }

  private waitFor(attempt: number, retryAfter: number | null): number {
    return this.counters.waited(retryAfter ?? backoffMs(attempt, this.backoff, Math.random));
  }

  /** 429: everyone waits Retry-After, and one slot is given up until things have been calm for a while. */
  private onThrottle(retryAfter: number | null): number {
    this.counters.throttled();
    const wait = retryAfter ?? backoffMs(2, this.backoff, Math.random);
    this.slots.throttled(wait, Date.now());
    return this.counters.waited(wait);
  }
}
