import { createScratchDatabase, type ScratchDatabase } from '../testkit/support/scratchDatabase';

/**
 * A fresh, migrated database for one benchmark run on the local PostgreSQL (scripts/services.sh),
 * dropped at the end, so a run never sees another run's or a test's rows.
 */
export type BenchDatabase = ScratchDatabase;

export function createBenchDatabase(baseUrl: string): Promise<BenchDatabase> {
  return createScratchDatabase(baseUrl, { prefix: 'kada_bench' });
}
