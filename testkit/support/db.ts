import { createScratchDatabase, type ScratchDatabase } from './scratchDatabase';

/** The services' base URL (set by scripts/test.sh or globalSetup). */
export function baseDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

export type TestDatabase = ScratchDatabase;

/**
 * A fresh, migrated database of its own for one test file, so files can run in parallel
 * against the one local PostgreSQL without seeing each other's rows.
 */
export function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  return createScratchDatabase(baseDatabaseUrl(), { prefix: 'kada_t', migrate: opts.migrate });
}
