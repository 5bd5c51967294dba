import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../app/context';
import { SourceError } from '../sources/http';
import { SyncError } from '../sync/errors';
import { auditedAction, registerAuditHook } from './auditHook';
import { authenticate } from './authenticate';
import { AdminHttpError } from './httpErrors';
import { TokenVerifier } from './oidc/tokenVerifier';
import { openApiDocument } from './openapi';
import { registerRateLimits } from './rateLimits';
import { auditRoutes } from './routes/audit';
import type { AdminDeps } from './routes/deps';
import { forgetRoutes } from './routes/forget';
import { healthRoutes } from './routes/health';
import { icsRoutes } from './routes/ics';
import { jobRoutes } from './routes/jobs';
import { personRoutes } from './routes/persons';
import { statusRoutes } from './routes/status';
import { deleteRoutes } from './routes/deletes';
import { signInRoutes } from './routes/signIn';
import { roomRoutes } from './routes/rooms';
import { webRoutes } from './routes/web';

/**
 * The admin HTTP server (service.md "Admin HTTP API"): /api/* behind ADMIN_TOKEN, the issuer's tokens or the
 * page's session (authenticate.ts), with roles, an audit trail and rate limits;
 * health and metrics for Kubernetes and Prometheus, and the admin web page at /.
 */
export interface AdminServerOptions {
  port: number;
  host?: string;
  isReady: () => Promise<{ database: boolean; broker: boolean }>;
  wakeWorkers?: () => void;
  brokerConnected?: () => boolean;
  /** The verifier of the issuer's tokens (tests pass one with their own clock); made from the config if absent. */
  tokenVerifier?: TokenVerifier;
}

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

export async function startAdminServer(ctx: AppContext, opts: AdminServerOptions): Promise<AdminServer> {
  const app = await buildAdminApp(ctx, opts);
  await app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' });
  const addr = app.server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  ctx.logger.info({ url }, 'admin API listening');
  return { url, close: () => app.close() };
}

/**
 * The API route a request is for, or null if it is not for /api. Decided by the route fastify
 * matched (the router decodes `%61pi` to `api`, so the raw URL alone would let a request past the
 * token check); an unmatched URL counts as /api if it decodes to one, so a 404 reveals nothing either.
 */
function apiRoute(matched: string | undefined, rawUrl: string): string | null {
  if (matched !== undefined) return matched === '/api' || matched.startsWith('/api/') ? matched : null;
  let path = rawUrl.split('?')[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    /* undecodable: judge the raw text */
  }
  return /^\/+api(\/|$)/i.test(path) ? path : null;
}

/** The server without listening, for `app.inject()` in tests. */
export async function buildAdminApp(
  ctx: AppContext,
  opts: Omit<AdminServerOptions, 'port' | 'host'>,
): Promise<FastifyInstance> {
  const log = ctx.logger.child({ component: 'admin' });
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    // Encoded e-mail addresses are longer than fastify's default of 100; the decoded value is bounded again by zod.
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
    // Unique across replicas and restarts: the audit trail's request_id finds the request's log line.
    genReqId: () => randomUUID(),
  });
  const deps: AdminDeps = {
    ctx,
    isReady: opts.isReady,
    wakeWorkers: opts.wakeWorkers,
    brokerConnected: opts.brokerConnected,
  };
  const oidc = ctx.config.adminOidc;
  const verifier = oidc ? (opts.tokenVerifier ?? new TokenVerifier(oidc)) : null;
  const { sessionOf } = signInRoutes(app, deps, verifier);
  const authenticator = { config: ctx.config, verifier, session: sessionOf, log };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    const route = apiRoute(req.routeOptions.url, req.url);
    if (route === null) return;
    reply.header('cache-control', 'no-store');
    if (route === '/api/openapi.json') return;
    // An answered request (401, 403, 503) must not reach the route.
    if (await authenticate(authenticator, req, reply)) return reply;
  });

  registerAuditHook(app, ctx);

  // Decided like the token check (a percent-encoded `/%61pi/...` is logged too); `path` is the route
  // pattern, so no person appears at info: the audit trail says whom.
  app.addHook('onResponse', async (req, reply) => {
    const route = apiRoute(req.routeOptions.url, req.url);
    const action = auditedAction(req.method, req.routeOptions.url);
    if (route === null || ((req.method === 'GET' || req.method === 'HEAD') && !action)) return;
    const path = req.routeOptions.url ?? null;
    log.info({ method: req.method, path, action, status: reply.statusCode, requestId: req.id }, 'admin request');
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AdminHttpError) return reply.code(err.status).send({ error: err.error, message: err.message });
    if (err instanceof SourceError || (err instanceof SyncError && err.transient)) {
      log.warn(
        { error: err.message, code: err.code, path: req.routeOptions.url },
        'admin request: a source was unavailable',
      );
      return reply.code(502).send({
        error: 'upstream_unavailable',
        message: `${err.code}: FS, TP or Graph could not be read; try again shortly`,
      });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own request errors (bad JSON, body too large, ...): their messages name no secrets.
      return reply.code(status).send({ error: 'bad_request', message: (err as Error).message });
    }
    log.error({ err, path: req.routeOptions.url }, 'admin request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'the request failed; see the kada log' });
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );

  await registerRateLimits(app);
  app.get('/api/openapi.json', async () => openApiDocument);
  personRoutes(app, deps);
  forgetRoutes(app, deps);
  jobRoutes(app, deps);
  statusRoutes(app, deps);
  deleteRoutes(app, deps);
  auditRoutes(app, deps);
  icsRoutes(app, deps);
  roomRoutes(app, deps);
  healthRoutes(app, deps);
  webRoutes(app);
  await app.ready();
  return app;
}
