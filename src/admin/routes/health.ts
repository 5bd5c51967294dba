import type { FastifyInstance } from 'fastify';
import { databaseGauges } from '../../observability/databaseGauges';
import { bearerMatches } from '../auth';
import type { AdminDeps } from './deps';

/**
 * Liveness, readiness and Prometheus metrics: for Kubernetes and the scraper, outside /api.
 * `/readyz` is service.md's readiness (database and broker). `/readyz/serve` is what the Kubernetes
 * readinessProbe uses: the database alone, because a pod without the broker still serves the admin API and
 * works its jobs, and a broker outage that took every pod out of the Service would also make the
 * PodDisruptionBudget block node drains. The broker's state is in both answers, in kada_broker_connected
 * and behind the KadaBrokerDisconnected alert; the consumer reconnects by itself.
 */
export function healthRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;
  const log = ctx.logger.child({ component: 'metrics' });
  const gauges = databaseGauges(ctx.db, ctx.metrics, {
    cacheMs: ctx.config.metricsCacheMs,
    onError: (err) => log.warn({ error: err.message }, 'metrics: could not refresh the database gauges'),
  });
  const checks = () => deps.isReady().catch(() => ({ database: false, broker: false }));

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const c = await checks();
    const ready = c.database && c.broker;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', ...c });
  });

  app.get('/readyz/serve', async (_req, reply) => {
    const c = await checks();
    return reply.code(c.database ? 200 : 503).send({ status: c.database ? 'ready' : 'not_ready', ...c });
  });

  app.get('/metrics', async (req, reply) => {
    const token = ctx.config.metricsToken;
    if (token && !bearerMatches(req.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    }
    // If the database is down the scrape still answers, with the last values and kada_database_up 0.
    await gauges.refresh();
    if (deps.brokerConnected) ctx.metrics.brokerConnected.set(deps.brokerConnected() ? 1 : 0);
    return reply.header('content-type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
}
