import type { Logger } from '../log/logger';
import { type Backoff, backoffMs } from '../domain/backoff';
import { retryAfterMs } from '../domain/retryAfter';
import type { CourseRef } from '../domain/types';
import { isGatewayNotFound } from './gatewayAnswer';

/**
 * The one HTTP retry policy for TP and FS. A transient failure (5xx, 429, timeout, network error)
 * is retried a bounded number of times with the shared backoff (domain/backoff.ts), then becomes a
 * SourceError: never an empty answer, because "no data" would make kada delete events. A 404 that
 * the API gateway answers itself (gatewayAnswer.ts) is transient too: only the source's own 404 is absence.
 */

export type SourceErrorCode =
  | 'SOURCE_UNAVAILABLE'
  | 'SOURCE_INVALID_RESPONSE'
  | 'SOURCE_PAGING_LOOP'
  | 'SOURCE_UNAUTHORIZED';
export type SourceName = 'tp' | 'fs';

export interface SourceContext {
  course?: CourseRef;
  personId?: string;
}

export class SourceError extends Error {
  readonly code: SourceErrorCode;
  readonly source: SourceName;
  /** HTTP status of the last answer; null when there was none (timeout, network error). */
  readonly status: number | null;
  /** The request URL with any credentials removed. */
  readonly url: string;
  readonly course?: CourseRef;
  readonly personId?: string;
  /** Set when the source asked for a wait longer than we are willing to block for. */
  readonly retryAfterMs?: number;

  constructor(a: {
    code: SourceErrorCode;
    source: SourceName;
    message: string;
    url: string;
    status?: number | null;
    context?: SourceContext;
    retryAfterMs?: number;
  }) {
    const safe = safeUrl(a.url);
    super(`${a.source.toUpperCase()} ${a.message} (${safe})`);
    this.name = 'SourceError';
    this.code = a.code;
    this.source = a.source;
    this.status = a.status ?? null;
    this.url = safe;
    this.course = a.context?.course;
    this.personId = a.context?.personId;
    this.retryAfterMs = a.retryAfterMs;
  }
}

export interface RetryOptions {
  /** Total attempts, the first included (default 5). */
  attempts?: number;
  /** Backoff base: attempt n waits a random time up to base * 2^(n-1), capped by maxDelayMs (default 250). */
  baseDelayMs?: number;
  maxDelayMs?: number; // default 10_000
  /** Per attempt, including reading the body (default 15_000). */
  timeoutMs?: number;
  /** A longer Retry-After ends the call at once: the caller's job retries later instead of a worker blocking. */
  maxRetryAfterMs?: number; // default 60_000
  /** For deterministic tests. */
  random?: () => number;
}

export interface SourceRequest {
  source: SourceName;
  apiKey: string;
  retry?: RetryOptions;
  logger?: Logger;
  context?: SourceContext;
}

export type SourceResponse = { status: 200; body: unknown } | { status: 404 };

const SECRET_PARAM = /key|token|secret|password|signature|sig$/i;

/** The URL as it may appear in logs and errors: no userinfo, no secret-looking query values. */
export function safeUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '<invalid url>';
  }
  u.username = '';
  u.password = '';
  for (const name of [...u.searchParams.keys()]) if (SECRET_PARAM.test(name)) u.searchParams.set(name, 'redacted');
  return u.toString();
}

/**
 * GET a JSON resource. Returns the parsed body on 2xx and `{status: 404}` on 404 (callers decide
 * what absence means); everything else ends in a SourceError after the retry policy is spent.
 */
export async function getSourceJson(url: string, req: SourceRequest): Promise<SourceResponse> {
  const attempts = Math.max(1, req.retry?.attempts ?? 5);
  const backoff: Backoff = { baseMs: req.retry?.baseDelayMs ?? 250, capMs: req.retry?.maxDelayMs ?? 10_000 };
  const timeoutMs = req.retry?.timeoutMs ?? 15_000;
  const maxRetryAfter = req.retry?.maxRetryAfterMs ?? 60_000;
  const random = req.retry?.random ?? Math.random;
  const fail = (code: SourceErrorCode, message: string, status: number | null, retryAfterMs?: number) =>
    new SourceError({ code, source: req.source, message, url, status, context: req.context, retryAfterMs });

  for (let attempt = 1; ; attempt++) {
    let transient: { status: number | null; message: string; retryAfterMs?: number };
    try {
      const res = await fetch(url, {
        headers: { 'X-Gravitee-Api-Key': req.apiKey, Accept: 'application/json' },
        // A redirect would carry the API key to wherever it points.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status === 404) {
        const text = await res.text();
        if (!isGatewayNotFound(text)) return { status: 404 };
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw fail('SOURCE_UNAUTHORIZED', `rejected the API key with ${res.status}`, res.status);
      }
      if (res.status >= 200 && res.status < 300) {
        const text = await res.text();
        try {
          return { status: 200, body: JSON.parse(text) as unknown };
        } catch {
          throw fail('SOURCE_INVALID_RESPONSE', `answered ${res.status} with a body that is not JSON`, res.status);
        }
      }
      if (!res.bodyUsed) await res.body?.cancel();
      if (res.status !== 404 && res.status !== 429 && res.status < 500) {
        throw fail('SOURCE_INVALID_RESPONSE', `answered with unexpected status ${res.status}`, res.status);
      }
      transient = {
        status: res.status,
        message: res.status === 404 ? 'answered 404 from the API gateway, not the API' : `answered ${res.status}`,
        retryAfterMs: retryAfterMs(res.headers.get('retry-after'), Date.now()) ?? undefined,
      };
    } catch (err) {
      if (err instanceof SourceError) throw err;
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      transient = {
        status: null,
        message: timedOut ? `timed out after ${timeoutMs} ms` : `unreachable: ${networkCause(err)}`,
      };
    }

    if (attempt >= attempts) {
      throw fail(
        'SOURCE_UNAVAILABLE',
        `${transient.message}; gave up after ${attempts} attempts`,
        transient.status,
        transient.retryAfterMs,
      );
    }
    if (transient.retryAfterMs !== undefined && transient.retryAfterMs > maxRetryAfter) {
      throw fail(
        'SOURCE_UNAVAILABLE',
        `${transient.message} with Retry-After ${transient.retryAfterMs} ms`,
        transient.status,
        transient.retryAfterMs,
      );
    }
    const delay = Math.max(backoffMs(attempt, backoff, random), transient.retryAfterMs ?? 0);
    req.logger?.warn(
      { source: req.source, url: safeUrl(url), status: transient.status, attempt, delayMs: delay, ...req.context },
      `${req.source} request failed (${transient.message}), retrying`,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function networkCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}
