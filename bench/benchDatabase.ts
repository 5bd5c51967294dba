import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../src/db/dataSource';

/**
 * A fresh, migrated database for one benchmark run on the local PostgreSQL (scripts/services.sh),
 * dropped at the end, so a run never sees another run's or a test's rows.
 */
export interface BenchDatabase {
  url: string;
  name: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function onAdminDatabase(baseUrl: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: withDatabase(baseUrl, 'postgres') });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createBenchDatabase(baseUrl: string): Promise<BenchDatabase> {
  const name = `kada_bench_${randomBytes(5).toString('hex')}`;
  await onAdminDatabase(baseUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(baseUrl, name);
  const dataSource = createDataSource(url, { poolSize: 10 });
  await dataSource.initialize();
  await migrate(dataSource);
  return {
    url,
    name,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await onAdminDatabase(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
