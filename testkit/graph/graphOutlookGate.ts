import { randomUUID } from 'node:crypto';
import type { FaultInjector, FaultKind } from './graphFaults';
import { GraphHttpError, graphError, sleep, type EmulatedResponse } from './graphHttp';
import type { OutlookRequest, Routed } from './graphRequest';
import { bump, type LoggedRequest, type RequestRecorder } from './graphStats';

/**
 * What stands between an Outlook request and the store: injected faults, the per-mailbox quota,
 * Outlook's per-app concurrency limit and latency; and the counting and logging of every answer.
 */

/** The knobs tests turn while the emulator runs. */
export interface OutlookSettings {
  latencyMs: number;
  jitterMs: number;
  /** Concurrent Outlook requests per app (with `mailboxConcurrencyLimit`: the app's overall cap). */
  concurrencyLimit: number;
  /**
   * Concurrent requests per app and mailbox, for the per-mailbox reading of Outlook's limit; null:
   * only the per-app limit applies (the stricter reading, the default).
   */
  mailboxConcurrencyLimit: number | null;
}

export interface OutlookGateDeps {
  route(r: OutlookRequest): Routed;
  faults: FaultInjector;
  recorder: RequestRecorder;
  random: () => number;
  /** Aborted when the emulator closes, to cut sleeps short. */
  closing: AbortSignal;
  /** Retry-After (seconds) on 429 and 503 answers. */
  retryAfter: string;
  /** Requests per app and mailbox per window; null disables. */
  quota: { requests: number; windowMs: number } | null;
  settings: OutlookSettings;
}

export function mailboxOf(url: string): string | undefined {
  const m = /^\/users\/([^/?]+)/i.exec(url);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!).toLowerCase();
  } catch {
    return undefined;
  }
}

export class OutlookGate {
  private readonly inFlight = new Map<string, number>();
  private readonly mailboxInFlight = new Map<string, number>();
  private readonly quotaWindows = new Map<string, { start: number; count: number }>();

  constructor(private readonly d: OutlookGateDeps) {}

  throttled(message: string): EmulatedResponse {
    return graphError(429, 'ApplicationThrottled', message, { 'Retry-After': this.d.retryAfter });
  }

  unavailable(): EmulatedResponse {
    return graphError(503, 'ServiceUnavailable', 'Service Unavailable', { 'Retry-After': this.d.retryAfter });
  }

  /** One Outlook request with faults, quota, the concurrency limit and latency applied. */
  async run(r: OutlookRequest): Promise<EmulatedResponse> {
    const path = r.url.split('?')[0]!;
    const mailbox = mailboxOf(r.url);
    const isCreate = r.method === 'POST' && /\/events\/?$/i.test(path);
    const fault = this.d.faults.forRequest({ method: r.method, path, mailbox, isCreate });
    const entry: LoggedRequest = {
      at: Date.now(),
      method: r.method,
      path,
      status: 0,
      mailbox,
      inBatch: r.inBatch,
      fault,
    };
    const finish = (resp: EmulatedResponse, routed?: Routed) => this.finish(r, entry, resp, routed);
    if (fault === 'timeout') {
      await sleep(this.d.faults.hangMs, this.d.closing);
      return finish(gatewayTimeout());
    }
    const early = this.faultAnswer(fault);
    if (early) return finish(early);
    if (this.overQuota(r.appId, mailbox)) return finish(this.throttled('Application is over its MailboxQuota limit.'));
    // Outlook allows 4 concurrent requests; Microsoft's pages disagree whether per app or per app and mailbox
    // (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits: "evaluated for each
    // app ID and mailbox combination"). Default: per app, the stricter reading; mailboxConcurrencyLimit
    // models the other one with an overall cap. Either way a request over it is answered 429 with Retry-After.
    const current = this.inFlight.get(r.appId) ?? 0;
    const mailboxKey = mailbox === undefined ? undefined : `${r.appId}|${mailbox}`;
    const perMailbox = this.d.settings.mailboxConcurrencyLimit;
    const inMailbox = mailboxKey === undefined ? 0 : (this.mailboxInFlight.get(mailboxKey) ?? 0);
    if (current >= this.d.settings.concurrencyLimit || (perMailbox !== null && inMailbox >= perMailbox)) {
      this.d.recorder.stats.concurrencyRejections++;
      return finish(this.throttled('Application is over its MailboxConcurrency limit.'));
    }
    const { routed, resp } = await this.routeInSlot(r, current, mailbox, mailboxKey);
    if (resp.status === 201 && (fault === '503AfterCreate' || fault === 'timeoutAfterCreate')) {
      if (fault === 'timeoutAfterCreate') await sleep(this.d.faults.hangMs, this.d.closing);
      const failed = fault === '503AfterCreate' ? this.unavailable() : gatewayTimeout();
      return finish(failed, routed);
    }
    return finish(resp, routed);
  }

  /** The faults that answer at once instead of the store (no await: the limits below are checked in the same tick). */
  private faultAnswer(fault: FaultKind | undefined): EmulatedResponse | undefined {
    if (fault === '429') return this.throttled('Application is over its MailboxConcurrency limit.');
    if (fault === '503') return this.unavailable();
    if (fault === '504') return gatewayTimeout();
    if (fault === '500')
      return graphError(500, 'ErrorInternalServerError', 'An internal server error occurred. The operation failed.');
    return undefined;
  }

  private overQuota(appId: string, mailbox: string | undefined): boolean {
    const quota = this.d.quota;
    if (!quota || !mailbox) return false;
    const key = `${appId}|${mailbox}`;
    const now = Date.now();
    let w = this.quotaWindows.get(key);
    if (!w || now - w.start >= quota.windowMs) this.quotaWindows.set(key, (w = { start: now, count: 0 }));
    return ++w.count > quota.requests;
  }

  /** Holds one of the app's concurrency slots for the latency and the store call. */
  private async routeInSlot(
    r: OutlookRequest,
    current: number,
    mailbox: string | undefined,
    mailboxKey: string | undefined,
  ): Promise<{ routed?: Routed; resp: EmulatedResponse }> {
    const { settings, recorder } = this.d;
    this.inFlight.set(r.appId, current + 1);
    recorder.stats.maxConcurrency = Math.max(recorder.stats.maxConcurrency, current + 1);
    if (mailboxKey !== undefined && mailbox !== undefined) {
      const n = (this.mailboxInFlight.get(mailboxKey) ?? 0) + 1;
      this.mailboxInFlight.set(mailboxKey, n);
      recorder.peakInMailbox(mailbox, n);
    }
    try {
      const jitter = settings.jitterMs > 0 ? Math.floor(this.d.random() * settings.jitterMs) : 0;
      await sleep(settings.latencyMs + jitter, this.d.closing);
      try {
        const routed = this.d.route(r);
        return { routed, resp: routed.response };
      } catch (err) {
        if (err instanceof GraphHttpError) return { resp: err.toResponse() };
        throw err;
      }
    } finally {
      this.inFlight.set(r.appId, (this.inFlight.get(r.appId) ?? 1) - 1);
      if (mailboxKey !== undefined) {
        const n = (this.mailboxInFlight.get(mailboxKey) ?? 1) - 1;
        if (n > 0) this.mailboxInFlight.set(mailboxKey, n);
        else this.mailboxInFlight.delete(mailboxKey);
      }
    }
  }

  private finish(r: OutlookRequest, entry: LoggedRequest, resp: EmulatedResponse, routed?: Routed): EmulatedResponse {
    const stats = this.d.recorder.stats;
    entry.status = resp.status;
    entry.eventId = routed?.eventId;
    if (resp.status === 429) stats.throttled++;
    bump(stats.outlookRequests, r.method, resp.status);
    if (r.inBatch) stats.subRequests++;
    if (routed?.write && resp.status < 300) stats.writes[routed.write]++;
    this.d.recorder.log(entry);
    resp.headers['request-id'] ??= randomUUID();
    return resp;
  }
}

const gatewayTimeout = () => graphError(504, 'GatewayTimeout', 'Gateway Timeout');
