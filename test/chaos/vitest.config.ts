import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * `npm run chaos` (scripts/chaos.sh): the chaos suite alone, one file at a time (the service
 * restarts in *.chaos.ts would break any file running beside them), including the files that
 * restart PostgreSQL and RabbitMQ, which the normal `npm test` never picks up.
 */
export default defineConfig({
  test: {
    root: path.resolve(__dirname, '../..'),
    include: ['test/chaos/**/*.test.ts', 'test/chaos/**/*.chaos.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 180_000,
    globalSetup: ['testkit/support/globalSetup.ts'],
  },
});
