/**
 * Fault injection for the Graph emulator: random rates (seeded, so a run can be replayed) and
 * deterministic "fail the next n" queues. Faults apply per Outlook request, that is per top-level
 * request or per $batch sub-request; the `batch*` kinds hit the $batch envelope itself.
 */

export type FaultKind =
  | '429'
  | '503'
  | '504'
  | '500'
  | 'timeout'
  /** Creates the event, then answers 503 (the classic duplicate-maker). */
  | '503AfterCreate'
  /** Creates the event, then hangs like `timeout`. */
  | 'timeoutAfterCreate'
  | 'batch429'
  | 'batch503'
  | 'batchTimeout';

export interface Faults {
  rate429?: number;
  rate503?: number;
  rate504?: number;
  rate500?: number;
  rateTimeout?: number;
  rate503AfterCreate?: number;
  rateTimeoutAfterCreate?: number;
  rateBatch503?: number;
  /** How long a `timeout` fault hangs before answering 504; pick more than the client's timeout. */
  hangMs?: number;
}

export interface FaultMatch {
  method?: string;
  /** Only requests whose path (after the version, e.g. `/users/a@b/events`) contains this. */
  pathIncludes?: string;
  mailbox?: string;
}

export interface FaultTarget {
  method: string;
  path: string;
  mailbox?: string;
  isCreate: boolean;
}

const AFTER_CREATE = new Set<FaultKind>(['503AfterCreate', 'timeoutAfterCreate']);
const BATCH = new Set<FaultKind>(['batch429', 'batch503', 'batchTimeout']);

export class FaultInjector {
  private faults: Faults = {};
  private queue: { kind: FaultKind; remaining: number; match?: FaultMatch }[] = [];
  readonly injected: Record<string, number> = {};

  constructor(private readonly random: () => number) {}

  set(faults: Faults) {
    this.faults = { ...faults };
  }

  get hangMs() {
    return this.faults.hangMs ?? 120_000;
  }

  failNext(kind: FaultKind, n = 1, match?: FaultMatch) {
    this.queue.push({ kind, remaining: n, match });
  }

  clear() {
    this.faults = {};
    this.queue = [];
  }

  private count(kind: FaultKind) {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    return kind;
  }

  private takeQueued(applies: (kind: FaultKind) => boolean, target?: FaultTarget): FaultKind | undefined {
    const idx = this.queue.findIndex((q) => applies(q.kind) && matches(q.match, target));
    if (idx === -1) return undefined;
    const entry = this.queue[idx]!;
    entry.remaining--;
    if (entry.remaining <= 0) this.queue.splice(idx, 1);
    return this.count(entry.kind);
  }

  /** The fault for one Outlook (sub-)request, if any. */
  forRequest(target: FaultTarget): FaultKind | undefined {
    const queued = this.takeQueued((k) => !BATCH.has(k) && (!AFTER_CREATE.has(k) || target.isCreate), target);
    if (queued) return queued;
    const f = this.faults;
    const roll = (rate: number | undefined) => !!rate && this.random() < rate;
    if (target.isCreate && roll(f.rate503AfterCreate)) return this.count('503AfterCreate');
    if (target.isCreate && roll(f.rateTimeoutAfterCreate)) return this.count('timeoutAfterCreate');
    if (roll(f.rate429)) return this.count('429');
    if (roll(f.rate503)) return this.count('503');
    if (roll(f.rate504)) return this.count('504');
    if (roll(f.rate500)) return this.count('500');
    if (roll(f.rateTimeout)) return this.count('timeout');
    return undefined;
  }

  /** The fault for a $batch envelope, if any. */
  forBatch(): FaultKind | undefined {
    const queued = this.takeQueued((k) => BATCH.has(k));
    if (queued) return queued;
    if (this.faults.rateBatch503 && this.random() < this.faults.rateBatch503) return this.count('batch503');
    return undefined;
  }
}

function matches(m: FaultMatch | undefined, t: FaultTarget | undefined): boolean {
  if (!m) return true;
  if (!t) return false;
  if (m.method && m.method.toUpperCase() !== t.method.toUpperCase()) return false;
  if (m.pathIncludes && !t.path.toLowerCase().includes(m.pathIncludes.toLowerCase())) return false;
  if (m.mailbox && m.mailbox.toLowerCase() !== t.mailbox?.toLowerCase()) return false;
  return true;
}
