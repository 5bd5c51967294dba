import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../app/context';
import { SourceError } from '../sources/http';
import { SyncError } from '../sync/errors';
import { bearerMatches } from './auth';
import { adminTokenCaller } from './caller';
import { AdminHttpError } from './httpErrors';
import { openApiDocument } from './openapi';
import type { AdminDeps } from './routes/deps';
import { forgetRoutes } from './routes/forget';
import { healthRoutes } from './routes/health';
import { jobRoutes } from './routes/jobs';
import { personRoutes } from './routes/persons';
import { statusRoutes } from './routes/status';
import { deleteRoutes } from './routes/deletes';
import { roomRoutes } from './routes/rooms';
import { webRoutes } from './routes/web';

/**
 * The admin HTTP server (service.md "Admin HTTP API"): /api/* behind the ADMIN_TOKEN bearer,
 * health and metrics for Kubernetes and Prometheus, and the admin web page at /.
 */
export interface AdminServerOptions {
  port: number;
  host?: string;
  isReady: () => Promise<{ database: boolean; broker: boolean }>;
  wakeWorkers?: () => void;
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
  });
  const deps: AdminDeps = { ctx, isReady: opts.isReady, wakeWorkers: opts.wakeWorkers };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    const route = apiRoute(req.routeOptions.url, req.url);
    if (route === null) return;
    reply.header('cache-control', 'no-store');
    if (route === '/api/openapi.json') return;
    const token = ctx.config.adminToken;
    if (!token)
      return reply.code(503).send({ error: 'admin API disabled', message: 'set ADMIN_TOKEN to enable the admin API' });
    if (!bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    }
    req.caller = adminTokenCaller;
  });

  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/api/') && req.method !== 'GET') {
      log.info({ method: req.method, path: req.routeOptions.url, status: reply.statusCode }, 'admin request');
    }
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

  app.get('/api/openapi.json', async () => openApiDocument);
  personRoutes(app, deps);
  forgetRoutes(app, deps);
  jobRoutes(app, deps);
  statusRoutes(app, deps);
  deleteRoutes(app, deps);
  roomRoutes(app, deps);
  healthRoutes(app, deps);
  webRoutes(app);
  await app.ready();
  return app;
}
