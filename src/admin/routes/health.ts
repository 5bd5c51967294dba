import type { FastifyInstance } from 'fastify';
import { bearerMatches } from '../auth';
import { collectStatus } from '../statusReport';
import type { AdminDeps } from './deps';

/** Liveness, readiness and Prometheus metrics: for Kubernetes and the scraper, outside /api. */
export function healthRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const checks = await deps.isReady().catch(() => ({ database: false, broker: false }));
    const ready = checks.database && checks.broker;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', ...checks });
  });

  app.get('/metrics', async (req, reply) => {
    const token = ctx.config.metricsToken;
    if (token && !bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    }
    // Queue depth and inbox lag live in the database: refresh them for this scrape. If the database
    // is down the scrape still answers, with the last values.
    await collectStatus(ctx.db, { metrics: ctx.metrics }).catch((err) =>
      ctx.logger.warn({ error: (err as Error).message }, 'metrics: could not refresh queue gauges'),
    );
    return reply.header('content-type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
