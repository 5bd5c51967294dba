import type { Metrics } from '../observability/metrics';

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

/** The GraphWriter's counters: kept for `stats()` and mirrored to Prometheus when metrics are given. */
export class WriterCounters {
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

  constructor(private readonly metrics?: Metrics) {}

  snapshot(): GraphWriterStats {
    return { ...this.s, writes: { ...this.s.writes } };
  }

  httpRequest(kind: 'single' | 'batch'): void {
    this.s.httpRequests++;
    if (kind === 'batch') this.s.batches++;
    this.metrics?.graphHttpRequests.inc({ kind });
  }

  /** One answer (a single request's or a sub-request's); status 0: none came. */
  answered(method: string, status: number, subRequest = false): void {
    if (subRequest) this.s.subRequests++;
    this.metrics?.graphRequests.inc({ method, status: String(status) });
  }

  written(kind: 'create' | 'update' | 'delete'): void {
    this.s.writes[kind]++;
    this.metrics?.graphWrites.inc({ kind });
  }

  throttled(): void {
    this.s.throttled++;
    this.metrics?.graphThrottled.inc();
  }

  retried(): void {
    this.s.retries++;
  }

  failed(): void {
    this.s.failed++;
  }

  /** Returns `ms`, so a wait can be counted where it is decided. */
  waited(ms: number): number {
    this.s.retryWaitMs += ms;
    this.metrics?.graphRetryWaitSeconds.inc(ms / 1000);
    return ms;
  }

  inFlight(n: number): void {
    this.s.maxInFlight = Math.max(this.s.maxInFlight, n);
  }
}
