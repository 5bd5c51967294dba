import { createHash } from 'node:crypto';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { growBudget, type LeaseAnswer, leaseSlots, releaseAll, shrinkBudget } from '../store/graphBudget';
import type { Queryable } from '../store/queryable';
import { type BudgetUser, CALM_STREAK, type GraphScope, MAILBOX_LIMIT, type SlotBudget } from './slotGovernor';

/**
 * How soon a starved lane asks again for slots another process may have given back: at once, then
 * less often while nothing comes (the others hold their fair share), up to the maximum.
 */
const STARVED_POLL_MS = 15;
const STARVED_POLL_MAX_MS = 50;
/** How long unused slots are kept before they go back (a job's next writes usually follow at once). */
const LINGER_MS = 100;

export interface SharedBudgetOptions {
  db: Queryable;
  /** This process (AppContext.processId). */
  holder: string;
  /** GRAPH_CONCURRENCY: the installation's budget. */
  concurrency: number;
  scope: GraphScope;
  /** GRAPH_TIMEOUT_MS: no request of this process runs longer. */
  timeoutMs: number;
  logger?: Logger;
}

interface Lane {
  name: string;
  /** '' for the whole app, else a hash of the mailbox (no address is stored). */
  key: string;
  limit: number;
  granted: number;
  /** Local time until which a request may still start on the granted slots. */
  startableUntil: number;
  inFlight: number;
  /** inFlight + requests waiting. */
  want: number;
  /** `want` as last sent to PostgreSQL. */
  sentWant: number;
  /** While a lease call is out: what was in flight when it left (the answer grants at least that). */
  sentKeep: number;
  pollMs: number;
  syncing: boolean;
  again: boolean;
  timer: NodeJS.Timeout | null;
  due: number;
}

export interface SharedBudgetStats {
  /** Lease round trips to PostgreSQL. */
  leaseCalls: number;
  leaseErrors: number;
}

/**
 * The installation's Outlook budget, shared by every kada process through PostgreSQL
 * (db/migrations/0007). A process leases slots in small blocks: it asks for what its queue can use,
 * keeps them while busy (renewed every second, so PostgreSQL sees one round trip per second and
 * lane rather than one per request), gives back what it no longer uses after a short linger, and
 * keeps no more than a fair share while others wait. A lease lives twice GRAPH_TIMEOUT_MS and a
 * request only starts while the lease still covers its whole timeout, so a request never outlives
 * the lease that counts it; a killed process's slots come back when its leases expire. A 429 shrinks
 * the shared value for everyone (AIMD) and pauses everyone for its Retry-After.
 */
export class SharedBudget implements SlotBudget {
  readonly scope: GraphScope;
  private readonly lanes = new Map<string, Lane>();
  private user: BudgetUser = { wake: () => undefined, inFlight: () => 0 };
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly log: Logger;
  private limit: number;
  private paused = 0;
  private okStreak = 0;
  private closed = false;
  private readonly counts: SharedBudgetStats = { leaseCalls: 0, leaseErrors: 0 };

  constructor(private readonly o: SharedBudgetOptions) {
    this.scope = o.scope;
    this.limit = o.concurrency;
    this.ttlMs = Math.max(2_000, 2 * o.timeoutMs);
    this.renewMs = Math.min(1_000, this.ttlMs / 4);
    this.log = o.logger ?? silentLogger;
  }

  get effective(): number {
    return this.limit;
  }

  get pausedUntil(): number {
    return this.paused;
  }

  stats(): SharedBudgetStats {
    return { ...this.counts };
  }

  room(lane: string, inFlight: number, want: number, now: number): number {
    if (this.closed) return 0;
    const l = this.lane(lane);
    l.inFlight = inFlight;
    l.want = inFlight + want;
    // While a lease call is out, PostgreSQL may already have lowered this grant (given slots back, or a fair
    // share for others): until the answer, only what was in flight when it left is certainly ours.
    const granted = l.syncing ? Math.min(l.granted, l.sentKeep) : l.granted;
    const cap = lane === '' ? Math.min(granted, this.limit) : granted;
    const usable = now + this.o.timeoutMs <= l.startableUntil ? cap : 0;
    // More wanted than last asked for, or the lease ran short: ask now. (Still starved: the poll is due.)
    if ((l.want > l.granted && l.want > l.sentWant) || usable < cap) this.schedule(l, 0);
    else if (l.want < l.granted) this.schedule(l, LINGER_MS);
    return Math.max(0, usable - inFlight);
  }

  throttled(waitMs: number, now: number): void {
    this.paused = Math.max(this.paused, now + waitMs);
    this.limit = Math.max(1, this.limit - 1);
    this.okStreak = 0;
    shrinkBudget(this.o.db, this.o.concurrency, waitMs).then(
      () => this.lanes.get('') && this.schedule(this.lanes.get('')!, 0),
      (err: unknown) => this.log.warn({ err: String(err) }, 'graph budget: could not record a 429'),
    );
  }

  ok(): void {
    if (this.limit >= this.o.concurrency) return;
    if (++this.okStreak < CALM_STREAK) return;
    this.okStreak = 0;
    this.limit++;
    growBudget(this.o.db, this.o.concurrency).catch((err: unknown) =>
      this.log.warn({ err: String(err) }, 'graph budget: could not give a slot back'),
    );
  }

  attach(user: BudgetUser): void {
    this.user = user;
  }

  /** Stops renewing and gives every lease of this process back. */
  async close(): Promise<void> {
    this.closed = true;
    for (const l of this.lanes.values()) if (l.timer) clearTimeout(l.timer);
    while ([...this.lanes.values()].some((l) => l.syncing)) await new Promise((r) => setTimeout(r, 5));
    this.lanes.clear();
    await releaseAll(this.o.db, this.o.holder).catch((err: unknown) =>
      this.log.warn({ err: String(err) }, 'graph budget: could not release leases (they expire by themselves)'),
    );
  }

  private lane(lane: string): Lane {
    let l = this.lanes.get(lane);
    if (!l) {
      const key = lane === '' ? '' : createHash('sha256').update(lane.toLowerCase()).digest('hex').slice(0, 32);
      const limit = lane === '' ? this.o.concurrency : MAILBOX_LIMIT;
      l = {
        name: lane,
        key,
        limit,
        granted: 0,
        startableUntil: 0,
        inFlight: 0,
        want: 0,
        sentWant: -1,
        sentKeep: 0,
        pollMs: STARVED_POLL_MS,
        syncing: false,
        again: false,
        timer: null,
        due: 0,
      };
      this.lanes.set(lane, l);
    }
    return l;
  }

  private schedule(l: Lane, delayMs: number): void {
    if (this.closed) return;
    if (l.syncing) {
      if (delayMs === 0 && l.want > l.sentWant) l.again = true;
      return;
    }
    const due = Date.now() + delayMs;
    if (l.timer && l.due <= due) return;
    if (l.timer) clearTimeout(l.timer);
    l.due = due;
    l.timer = setTimeout(() => {
      l.timer = null;
      void this.sync(l);
    }, delayMs);
    l.timer.unref?.();
  }

  private async sync(l: Lane): Promise<void> {
    l.syncing = true;
    l.again = false;
    // Read now, not from the last room(): requests started since then are in flight too.
    l.inFlight = this.user.inFlight(l.name);
    l.sentWant = Math.max(l.want, l.inFlight);
    l.sentKeep = l.inFlight;
    const sent = Date.now();
    const before = l.granted;
    let a: LeaseAnswer | null = null;
    try {
      this.counts.leaseCalls++;
      a = await leaseSlots(this.o.db, {
        holder: this.o.holder,
        lane: l.key,
        limit: l.limit,
        want: l.sentWant,
        keep: l.sentKeep,
        ttlMs: this.ttlMs,
      });
    } catch (err) {
      this.counts.leaseErrors++;
      if (this.counts.leaseErrors % 20 === 1) this.log.warn({ err: String(err) }, 'graph budget: lease failed');
    }
    l.syncing = false;
    if (this.closed) return;
    if (a) {
      l.granted = a.granted;
      // Measured from when the request left: the lease at PostgreSQL runs at least this long.
      l.startableUntil = sent + this.ttlMs - 50;
      if (l.key === '') {
        this.limit = Math.min(this.o.concurrency, a.limit);
        if (a.pausedMs > 0) this.paused = Math.max(this.paused, Date.now() + a.pausedMs);
      }
    }
    if (!a) this.schedule(l, this.renewMs);
    else if (l.again) this.schedule(l, 0);
    else if (l.want > l.granted) {
      l.pollMs = l.granted > before ? STARVED_POLL_MS : Math.min(STARVED_POLL_MAX_MS, l.pollMs * 2);
      this.schedule(l, l.pollMs);
    } else if (l.want < l.granted) this.schedule(l, a.waiting > 0 ? 0 : LINGER_MS);
    else if (l.granted > 0) this.schedule(l, this.renewMs);
    else this.lanes.delete(l.name);
    // Slots may be free again (more granted, or the call that held them back answered): look at the queue.
    if (a && (a.granted > before || l.want > l.inFlight)) this.user.wake();
  }
}
