import { loadConfig, type Config } from '../../src/config/config';
import { createAppContext, type AppContext } from '../../src/app/context';
import { startMicrosoftEmulator, type MicrosoftEmulator, type MicrosoftEmulatorOptions } from '../graph/graphEmulator';
import { generateInstitution, type Institution } from '../institution/institution';
import { startSourceEmulator, type SourceEmulator } from '../sources/sourceEmulator';
import { silentLogger, type Logger } from '../../src/log/logger';
import { createMetrics } from '../../src/observability/metrics';
import { createTestDatabase, type TestDatabase } from './db';

/**
 * Everything an end-to-end test needs: a synthetic institution served by the TP/FS emulator, the
 * Microsoft (token + Graph) emulator, a fresh migrated database, kada's env for a child process,
 * and an in-process AppContext built from that env exactly as `kada` builds it.
 */
export interface Harness {
  institution: Institution;
  sources: SourceEmulator;
  microsoft: MicrosoftEmulator;
  db: TestDatabase;
  env: Record<string, string>;
  config: Config;
  ctx: AppContext;
  close(): Promise<void>;
}

export interface HarnessOptions {
  seed?: number;
  students?: number;
  semesters?: string[];
  institution?: string;
  microsoft?: MicrosoftEmulatorOptions;
  env?: Record<string, string>;
  logger?: Logger;
  /** Build no in-process context (the test only drives child processes). */
  noContext?: boolean;
}

export const TP_KEY = 'tp-key-for-tests-1234';
export const FS_KEY = 'fs-key-for-tests-5678';
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(
      'NODE_EXTRA_CA_CERTS is not set: run the tests with `npm test` (scripts/test.sh creates and trusts the local CA)',
    );
  }
  const semesters = opts.semesters ?? ['26h'];
  const inst = opts.institution ?? 'uio';
  const institution = generateInstitution({
    seed: opts.seed ?? 1,
    students: opts.students ?? 60,
    semesters,
    institution: inst,
  });
  const sources = await startSourceEmulator({ institution, tpApiKey: TP_KEY, fsApiKey: FS_KEY });
  const microsoft = await startMicrosoftEmulator({ latencyMs: 0, ...opts.microsoft });
  const db = await createTestDatabase();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:56729',
    TP_BASE_URL: sources.tpBaseUrl,
    TP_API_KEY: TP_KEY,
    FS_BASE_URL: sources.fsBaseUrl,
    FS_API_KEY: FS_KEY,
    KADA_INSTITUTION: inst,
    KADA_SEMESTERS: semesters.join(','),
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    ...microsoft.env(),
    ...opts.env,
  };
  const config = loadConfig(env);
  const ctx = opts.noContext
    ? (null as unknown as AppContext)
    : await createAppContext(config, { logger: opts.logger ?? silentLogger, metrics: createMetrics(), env });
  return {
    institution,
    sources,
    microsoft,
    db,
    env,
    config,
    ctx,
    async close() {
      await ctx?.close().catch(() => undefined);
      await Promise.all([sources.close(), microsoft.close()]);
      await db.drop();
    },
  };
}
