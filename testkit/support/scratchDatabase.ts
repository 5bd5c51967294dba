import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../../src/db/dataSource';

/**
 * Databases of their own on one PostgreSQL server, for each test file, benchmark run and the demo,
 * so none of them sees another's rows. Not used by kada itself.
 */
export function databaseUrlNamed(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on the server's `postgres` database (CREATE/DROP DATABASE cannot run inside another). */
export async function onServer(baseUrl: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: databaseUrlNamed(baseUrl, 'postgres') });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface ScratchDatabase {
  url: string;
  name: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

export async function createScratchDatabase(
  baseUrl: string,
  opts: { prefix: string; migrate?: boolean; poolSize?: number },
): Promise<ScratchDatabase> {
  const name = `${opts.prefix}_${randomBytes(5).toString('hex')}`;
  await onServer(baseUrl, `CREATE DATABASE ${name}`);
  const url = databaseUrlNamed(baseUrl, name);
  const dataSource = createDataSource(url, { poolSize: opts.poolSize ?? 10 });
  await dataSource.initialize();
  if (opts.migrate !== false) await migrate(dataSource);
  return {
    url,
    name,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await onServer(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
