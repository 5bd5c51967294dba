import type { Client } from '@microsoft/microsoft-graph-client';
import type { AppContext } from '../../src/app/context';
import { loadConfig, type Config } from '../../src/config/config';
import { generateInstitution, type Institution } from '../../testkit/institution/institution';
import { startSourceEmulator, type SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { GraphWriter } from '../../src/graph/writer';
import { silentLogger } from '../../src/log/logger';
import { createMetrics } from '../../src/observability/metrics';
import { createFsClient } from '../../src/sources/fsClient';
import { createTpClient } from '../../src/sources/tpClient';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const TP_KEY = 'tp-admin-test-key-0123';
export const FS_KEY = 'fs-admin-test-key-4567';

export interface AdminFixture {
  ctx: AppContext;
  db: TestDatabase;
  institution: Institution;
  sources: SourceEmulator;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string | undefined>): Config {
  return loadConfig({
    DATABASE_URL: 'postgres://kada@127.0.0.1:5432/kada',
    AMQP_URL: 'amqp://127.0.0.1:5672',
    TP_BASE_URL: 'http://127.0.0.1:9/tp',
    TP_API_KEY: TP_KEY,
    FS_BASE_URL: 'http://127.0.0.1:9/fs',
    FS_API_KEY: FS_KEY,
    AZURE_TENANT_ID: 'tenant',
    AZURE_CLIENT_ID: 'client',
    AZURE_CLIENT_SECRET: 'client-secret-never-shown',
    KADA_INSTITUTION: 'uio',
    KADA_SEMESTERS: '26h',
    ADMIN_TOKEN,
    ...env,
  });
}

/**
 * An AppContext on a fresh database and the TP/FS emulator. Graph is not reachable here (a dry-run
 * diff against the state store needs none); the end-to-end tests use testkit/support/harness.ts.
 */
export async function startAdminFixture(env: Record<string, string | undefined> = {}): Promise<AdminFixture> {
  const db = await createTestDatabase();
  const institution = generateInstitution({ seed: 23, students: 40, semesters: ['26h'] });
  const sources = await startSourceEmulator({ institution, tpApiKey: TP_KEY, fsApiKey: FS_KEY });
  const config = testConfig({
    DATABASE_URL: db.url,
    TP_BASE_URL: sources.tpBaseUrl,
    FS_BASE_URL: sources.fsBaseUrl,
    ...env,
  });
  const retry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 };
  const metrics = createMetrics();
  const ctx: AppContext = {
    db: db.dataSource,
    dataSource: db.dataSource,
    fs: createFsClient({ baseUrl: config.fs.baseUrl, apiKey: config.fs.apiKey, retry }),
    tp: createTpClient({ baseUrl: config.tp.baseUrl, apiKey: config.tp.apiKey, retry }),
    writer: new GraphWriter({ client: {} as Client, metrics }),
    config,
    logger: silentLogger,
    metrics,
    processId: 'admin-test:1:abcd1234',
    startedAt: new Date(),
    async close() {},
  };
  return {
    ctx,
    db,
    institution,
    sources,
    async close() {
      await sources.close();
      await db.drop();
    },
  };
}
