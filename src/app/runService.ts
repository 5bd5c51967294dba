import type { DataSource } from 'typeorm';
import { migrations } from '../../db/migrations';
import { startAdminServer, type AdminServer, type AdminServerOptions } from '../admin/server';
import type { Config } from '../config/config';
import { NotificationConsumer } from '../intake/consumer';
import { amqpSocketOptions } from '../intake/amqpTls';
import { JobWakeup } from '../jobs/wakeup';
import { WorkerPool } from '../jobs/workerPool';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import { Planner } from '../planner/planner';
import { createAppContext, type AppContext } from './context';
import { isTransient } from '../sync/errors';
import { personJobHandler } from './jobHandler';
import { startProcessReporter } from './processReporter';
import { startRetentionTimer } from '../erasure/retentionTimer';
import { setProcessInfo } from '../observability/processInfo';

/**
 * `kada run`: the long-running process. Notifications flow broker -> consumer -> inbox ->
 * planner -> jobs -> worker pool -> Graph; the admin server answers health, metrics and /api.
 * Every part is safe to run in several replicas against the same database and queue.
 */

export type StartAdmin = (ctx: AppContext, opts: AdminServerOptions) => Promise<AdminServer>;

export interface RunServiceOptions {
  env?: Record<string, string | undefined>;
  logger?: Logger;
  metrics?: Metrics;
  /** The admin HTTP server; replaceable so tests (or a slimmer deployment) can bring their own. */
  startAdmin?: StartAdmin;
  /** How long course notifications gather before the planner reads TP (default 400 ms). */
  plannerDebounceMs?: number;
  /** How long running jobs may finish at shutdown before they are released (default: from KADA_SHUTDOWN_TIMEOUT_MS). */
  shutdownGraceMs?: number;
}

export interface RunningService {
  ctx: AppContext;
  adminUrl: string;
  consumer: NotificationConsumer;
  planner: Planner;
  workers: WorkerPool;
  /** Readiness as /readyz reports it. */
  ready(): Promise<{ database: boolean; broker: boolean }>;
  stop(): Promise<void>;
}

/**
 * The share of the shutdown budget (KADA_SHUTDOWN_TIMEOUT_MS) running jobs get to finish: the rest is for
 * what stops after them (the admin server, the Graph writer's last batches, the database pool).
 */
export function workerGraceMs(shutdownTimeoutMs: number): number {
  return Math.max(1_000, shutdownTimeoutMs - 8_000);
}

export class NotMigratedError extends Error {
  readonly code = 'DB_NOT_MIGRATED';
}

/** Refuses to run against a database whose schema is older than this kada: run `kada migrate` first. */
export async function assertMigrated(ds: DataSource): Promise<void> {
  const [{ exists }] = await ds.query(`SELECT to_regclass('kada_migrations') IS NOT NULL AS exists`);
  const applied = new Set<string>(
    exists ? (await ds.query(`SELECT name FROM kada_migrations`)).map((r: { name: string }) => r.name) : [],
  );
  const pending = migrations.map((M) => new M().name).filter((name) => !applied.has(name));
  if (pending.length) {
    throw new NotMigratedError(
      `the database is not migrated (pending: ${pending.join(', ')}); run \`kada migrate\` first`,
    );
  }
}

export async function startService(config: Config, opts: RunServiceOptions = {}): Promise<RunningService> {
  const ctx = await createAppContext(config, { logger: opts.logger, metrics: opts.metrics, env: opts.env });
  const log = ctx.logger.child({ component: 'service' });
  setProcessInfo(ctx.metrics, config);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((err) => log.warn({ error: (err as Error).message }, 'shutdown step failed'));
    }
  };
  stops.push(() => ctx.close());
  try {
    await assertMigrated(ctx.dataSource);

    const wakeup = new JobWakeup(config.databaseUrl, ctx.logger.child({ component: 'wakeup' }));
    await wakeup.start();
    stops.push(() => wakeup.stop());

    const workers = new WorkerPool({
      db: ctx.db,
      wakeup,
      concurrency: config.workers,
      leaseMs: config.jobLeaseMs,
      handler: personJobHandler(ctx),
      isTransient,
      logger: ctx.logger.child({ component: 'worker' }),
      metrics: ctx.metrics,
    });

    const planner = new Planner({
      dataSource: ctx.dataSource,
      tp: ctx.tp,
      fs: ctx.fs,
      logger: ctx.logger,
      metrics: ctx.metrics,
      semesters: config.semesters,
      debounceMs: opts.plannerDebounceMs ?? config.plannerDebounceMs,
      confirmDelayMs: config.confirmDelayMs,
      jobMaxAttempts: config.jobMaxAttempts,
      roomCalendars: config.roomCalendars,
      onEnqueued: () => workers.wakeAll(),
    });

    const consumer = new NotificationConsumer({
      url: config.amqp.url,
      socketOptions: amqpSocketOptions(config.amqp),
      queue: config.amqp.queue,
      bindings: config.amqp.bindings,
      prefetch: config.amqp.prefetch,
      db: ctx.db,
      logger: ctx.logger,
      metrics: ctx.metrics,
      onStored: () => planner.wake(),
    });

    const ready = async () => ({
      database: await ctx.db.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      broker: consumer.isConnected(),
    });
    const admin = await (opts.startAdmin ?? startAdminServer)(ctx, {
      port: config.port,
      isReady: ready,
      wakeWorkers: () => workers.wakeAll(),
      brokerConnected: () => consumer.isConnected(),
    });
    stops.push(() => admin.close());

    const reporter = startProcessReporter(ctx, log);
    stops.push(() => reporter.stop());
    const retention = startRetentionTimer(ctx, {
      days: config.retentionDays,
      semesters: config.semesters,
      auditDays: config.auditRetentionDays,
      pseudonymKey: config.logKey,
    });
    stops.push(() => retention.stop());
    workers.start();
    stops.push(() => workers.stop(opts.shutdownGraceMs ?? workerGraceMs(config.shutdownTimeoutMs)));
    planner.start();
    stops.push(() => planner.stop());
    // The broker may be down at start-up: the consumer keeps trying while the rest already works.
    consumer.start();
    stops.push(() => consumer.stop());

    log.info({ adminUrl: admin.url, queue: config.amqp.queue, workers: config.workers }, 'kada is running');
    let stopping: Promise<void> | null = null;
    return {
      ctx,
      adminUrl: admin.url,
      consumer,
      planner,
      workers,
      ready,
      stop() {
        // Reverse start order: stop consuming, stop planning, let workers finish, close the server, the context.
        stopping ??= stopAll().then(() => log.info('kada stopped'));
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
