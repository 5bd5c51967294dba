import { randomBytes } from 'node:crypto';
import { createAppContext, type AppContext } from '../src/app/context';
import { loadConfig, type Config } from '../src/config/config';
import { startMicrosoftEmulator, type GraphEmulator, type MicrosoftEmulator } from '../testkit/graph/graphEmulator';
import type { Institution } from '../testkit/institution/institution';
import { startSourceEmulator, type SourceEmulator } from '../testkit/sources/sourceEmulator';
import { silentLogger } from '../src/log/logger';
import { createMetrics } from '../src/observability/metrics';
import { createBenchDatabase, type BenchDatabase } from './benchDatabase';

/**
 * What every benchmark runs against: the synthetic institution behind the TP/FS emulator, the
 * Microsoft (token + Graph) emulator with Outlook's latency and concurrency limit, a fresh migrated
 * database on the local PostgreSQL, and kada's context built from env exactly as `kada` builds it.
 * (The same pattern as the end-to-end test harness, which bench code does not import.)
 */
export interface BenchEnvironment {
  institution: Institution;
  sources: SourceEmulator;
  microsoft: MicrosoftEmulator;
  graph: GraphEmulator;
  db: BenchDatabase;
  env: Record<string, string>;
  config: Config;
  ctx: AppContext;
  /** Another kada context on the same database and emulators (e.g. SERIES_MODE=weekly). */
  createContext(extraEnv?: Record<string, string>): Promise<AppContext>;
  close(): Promise<void>;
}

export interface BenchEnvironmentOptions {
  institution: Institution;
  latencyMs: number;
  concurrencyLimit: number;
  databaseUrl: string;
  amqpUrl: string;
  env?: Record<string, string>;
}

export async function startBenchEnvironment(opts: BenchEnvironmentOptions): Promise<BenchEnvironment> {
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(
      'NODE_EXTRA_CA_CERTS is not set: run the benchmarks with `npm run bench` (scripts/bench.sh trusts the local CA)',
    );
  }
  const tpKey = `tp-${randomBytes(8).toString('hex')}`;
  const fsKey = `fs-${randomBytes(8).toString('hex')}`;
  const institution = opts.institution;
  const sources = await startSourceEmulator({ institution, tpApiKey: tpKey, fsApiKey: fsKey, pageSize: 200 });
  // No per-mailbox quota: a benchmark mailbox sees far fewer than 10,000 requests in 10 minutes anyway.
  const microsoft = await startMicrosoftEmulator({
    latencyMs: opts.latencyMs,
    concurrencyLimit: opts.concurrencyLimit,
    seed: institution.seed,
  });
  const db = await createBenchDatabase(opts.databaseUrl);
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    AMQP_URL: opts.amqpUrl,
    TP_BASE_URL: sources.tpBaseUrl,
    TP_API_KEY: tpKey,
    FS_BASE_URL: sources.fsBaseUrl,
    FS_API_KEY: fsKey,
    KADA_INSTITUTION: institution.code,
    KADA_SEMESTERS: institution.semesters.join(','),
    LOG_LEVEL: 'warn',
    ...microsoft.env(),
    ...opts.env,
  };
  const contexts: AppContext[] = [];
  const createContext = async (extraEnv: Record<string, string> = {}) => {
    const e = { ...env, ...extraEnv };
    const c = await createAppContext(loadConfig(e), { logger: silentLogger, metrics: createMetrics(), env: e });
    contexts.push(c);
    return c;
  };
  const ctx = await createContext();
  return {
    institution,
    sources,
    microsoft,
    graph: microsoft.graph,
    db,
    env,
    config: ctx.config,
    ctx,
    createContext,
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await Promise.all([sources.close(), microsoft.close()]);
      await db.drop();
    },
  };
}
