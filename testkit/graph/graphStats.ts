import type { FaultKind } from './graphFaults';

/** What the Graph emulator counts and logs, for tests and the bench to read back. */

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
  /** Most Outlook requests of the app in flight at once. */
  maxConcurrency: number;
  /** Most Outlook requests in flight at once in any one mailbox. */
  maxMailboxConcurrency: number;
  /** The same per mailbox (address in lower case). */
  maxConcurrencyByMailbox: Record<string, number>;
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

export type WriteKind = keyof GraphStats['writes'];

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
    maxMailboxConcurrency: 0,
    maxConcurrencyByMailbox: {},
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

export function bump(c: RequestCounter, method: string, status: number) {
  c.total++;
  c.byMethod[method] = (c.byMethod[method] ?? 0) + 1;
  c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
}

/**
 * The counters and the request log. A reset swaps in fresh objects, so requests still in flight
 * count into the new period, and copies handed out before stay as they were.
 */
export class RequestRecorder {
  stats = emptyStats();
  private entries: LoggedRequest[] = [];

  /** Keeps the newest half when the log outgrows its limit, so a long run does not grow without bound. */
  log(entry: LoggedRequest) {
    this.entries.push(entry);
    if (this.entries.length > LOG_LIMIT) this.entries = this.entries.slice(-LOG_LIMIT / 2);
  }

  /** `n` requests in flight in `mailbox` now. */
  peakInMailbox(mailbox: string, n: number) {
    const s = this.stats;
    s.maxMailboxConcurrency = Math.max(s.maxMailboxConcurrency, n);
    s.maxConcurrencyByMailbox[mailbox] = Math.max(s.maxConcurrencyByMailbox[mailbox] ?? 0, n);
  }

  requestLog(): LoggedRequest[] {
    return this.entries.map((e) => ({ ...e }));
  }

  reset() {
    this.stats = emptyStats();
    this.entries = [];
  }
}
