import { PRIORITY } from '../jobs/types';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import { secretValues } from '../config/config';
import { createDataSource } from '../db/dataSource';
import { createGraphClient } from '../graph/graphClient';
import { createTokenProvider } from '../graph/auth';
import { SharedBudget } from '../graph/sharedBudget';
import { GraphWriter } from '../graph/writer';
import { createLogger, type Logger } from '../log/logger';
import { createMetrics, type Metrics } from '../observability/metrics';
import { createFsClient } from '../sources/fsClient';
import { createTpClient } from '../sources/tpClient';
import type { SyncContext } from '../sync/syncPerson';

/**
 * The running parts of one kada process, built once from the validated config. Everything that
 * talks to the outside world is created here and nowhere else.
 */
export interface AppContext extends SyncContext {
  dataSource: DataSource;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** This process's share of the installation's Outlook budget (the writer leases its slots from it). */
  graphBudget?: SharedBudget;
  /** This process among the replicas (hostname, pid and a random part), for process_stats. */
  processId: string;
  startedAt: Date;
  close(): Promise<void>;
}

export async function createAppContext(
  config: Config,
  opts: { logger?: Logger; metrics?: Metrics; poolSize?: number; env?: Record<string, string | undefined> } = {},
): Promise<AppContext> {
  const logger =
    opts.logger ??
    createLogger({
      level: config.logLevel,
      secrets: secretValues(opts.env ?? process.env),
      pseudonymKey: config.logKey,
    });
  const metrics = opts.metrics ?? createMetrics({ defaultMetrics: true });
  const dataSource = createDataSource(config.databaseUrl, {
    poolSize: opts.poolSize ?? Math.max(10, config.workers + 5),
  });
  await dataSource.initialize();
  const tokens = createTokenProvider(config.graph);
  const client = createGraphClient(config.graph, tokens);
  const processId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Every process (replicas, the CronJob, the CLI) leases its Outlook slots from one budget in PostgreSQL.
  const budget = new SharedBudget({
    db: dataSource,
    holder: processId,
    concurrency: config.graph.concurrency,
    scope: config.graph.concurrencyScope,
    timeoutMs: config.graph.timeoutMs,
    logger: logger.child({ component: 'graph-budget' }),
  });
  const writer = new GraphWriter({
    client,
    budget,
    concurrency: config.graph.concurrency,
    timeoutMs: config.graph.timeoutMs,
    // Changes and rebuilds: each write answered as soon as it is done (service.md "Order of work").
    soloFrom: PRIORITY.notification,
    logger: logger.child({ component: 'graph' }),
    metrics,
  });
  const tp = createTpClient({
    baseUrl: config.tp.baseUrl,
    apiKey: config.tp.apiKey,
    language: config.language,
    logger,
  });
  const fs = createFsClient({ baseUrl: config.fs.baseUrl, apiKey: config.fs.apiKey, logger });
  return {
    db: dataSource,
    dataSource,
    tp,
    fs,
    writer,
    config,
    logger,
    metrics,
    graphBudget: budget,
    processId,
    startedAt: new Date(),
    async close() {
      await writer.settled();
      await budget.close();
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}
