import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import type { Config } from '../config/config';
import type { TokenProvider } from './auth';

/**
 * The Microsoft Graph JS client, pointed at GRAPH_BASE_URL. The client attaches the bearer token
 * only to Microsoft's Graph hosts and to `customHosts`, so the configured host (an emulator or a
 * national cloud) is always listed; that also covers absolute `@odata.nextLink` URLs.
 */

/** Caps every attempt at `ms`, together with any signal the caller gave (`.options({ signal })`). */
export class TimeoutHandler implements Middleware {
  private next?: Middleware;
  constructor(private readonly ms: number) {}
  async execute(context: Context): Promise<void> {
    context.options ??= {};
    const options = context.options;
    const given = options.signal ?? undefined;
    const timeout = AbortSignal.timeout(this.ms);
    options.signal = given ? AbortSignal.any([given, timeout]) : timeout;
    await this.next!.execute(context);
  }
  setNext(next: Middleware) {
    this.next = next;
  }
}

/** graph.md: every request asks for immutable ids, so an event's id survives moves between folders. */
export const IMMUTABLE_IDS = 'IdType="ImmutableId"';

/** Adds `Prefer: IdType="ImmutableId"` to every request, beside any other preference it already has. */
export class ImmutableIdHandler implements Middleware {
  private next?: Middleware;
  async execute(context: Context): Promise<void> {
    context.options ??= {};
    const headers = context.options.headers;
    if (headers instanceof Headers) headers.set('Prefer', withImmutableIds(headers.get('Prefer') ?? undefined));
    else {
      const record = { ...((headers as Record<string, string> | undefined) ?? {}) };
      const key = Object.keys(record).find((k) => k.toLowerCase() === 'prefer') ?? 'Prefer';
      record[key] = withImmutableIds(record[key]);
      context.options.headers = record;
    }
    await this.next!.execute(context);
  }
  setNext(next: Middleware) {
    this.next = next;
  }
}

/** A Prefer header value that asks for immutable ids (once). */
export function withImmutableIds(prefer: string | undefined): string {
  if (!prefer) return IMMUTABLE_IDS;
  return /idtype\s*=/i.test(prefer) ? prefer : `${prefer}, ${IMMUTABLE_IDS}`;
}

/**
 * After a 401 on a request that carried a token, asks for a fresh token (bypassing MSAL's cache) and
 * sends the request once more: a token revoked or expired early would otherwise fail every call
 * until MSAL's cached copy runs out.
 */
export class RefreshTokenOn401Handler implements Middleware {
  private next?: Middleware;
  constructor(private readonly tokens: TokenProvider) {}
  async execute(context: Context): Promise<void> {
    await this.next!.execute(context);
    const headers = context.options?.headers;
    const authorization =
      headers instanceof Headers
        ? headers.get('Authorization')
        : (headers as Record<string, string> | undefined)?.Authorization;
    if (context.response?.status !== 401 || !authorization) return;
    const bearer = `Bearer ${await this.tokens.getToken({ forceRefresh: true })}`;
    if (headers instanceof Headers) headers.set('Authorization', bearer);
    else (headers as Record<string, string>).Authorization = bearer;
    context.response = undefined;
    await this.next!.execute(context);
  }
  setNext(next: Middleware) {
    this.next = next;
  }
}

export interface GraphClientOptions {
  /**
   * Retries the library itself makes on a top-level 429/503/504 (honouring Retry-After). Default 0:
   * kada's GraphWriter owns the retry policy, and a $batch answers 200 with throttled sub-requests
   * inside, which the library would not retry anyway.
   */
  libraryRetries?: number;
}

/** Splits GRAPH_BASE_URL into what the client wants: `https://host:port/` and the version segment. */
export function graphEndpoint(baseUrl: string): { baseUrl: string; version: string; host: string } {
  const url = new URL(baseUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  const version = segments.pop() ?? 'v1.0';
  const prefix = segments.length ? `/${segments.join('/')}` : '';
  return { baseUrl: `${url.origin}${prefix}/`, version, host: url.hostname };
}

export function createGraphClient(cfg: Config['graph'], tokens: TokenProvider, opts: GraphClientOptions = {}): Client {
  const endpoint = graphEndpoint(cfg.baseUrl);
  const middleware: Middleware[] = [
    new AuthenticationHandler({ getAccessToken: () => tokens.getToken() }),
    new RefreshTokenOn401Handler(tokens),
  ];
  const retries = opts.libraryRetries ?? 0;
  if (retries > 0) middleware.push(new RetryHandler(new RetryHandlerOptions(3, retries)));
  middleware.push(
    new RedirectHandler(new RedirectHandlerOptions()),
    new TelemetryHandler(),
    new ImmutableIdHandler(),
    new TimeoutHandler(cfg.timeoutMs),
    new HTTPMessageHandler(),
  );
  return Client.initWithMiddleware({
    baseUrl: endpoint.baseUrl,
    defaultVersion: endpoint.version,
    customHosts: new Set([endpoint.host]),
    middleware,
  });
}
