import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` is the pure core (desired state, diff, config, domain, notification parsing,
 * logging, the person job's planner); it needs no PostgreSQL, RabbitMQ or emulator and runs in
 * seconds (`npm run test:unit`).
 * `integration` is everything else, against the real servers that scripts/services.sh starts.
 */
const unit = [
  'test/desired/**/*.test.ts',
  'test/diff/**/*.test.ts',
  'test/config/**/*.test.ts',
  'test/domain/**/*.test.ts',
  'test/log/**/*.test.ts',
  'test/intake/parseNotification.test.ts',
  'test/sync/planPerson.test.ts',
  'test/sync/nearTermFirst.test.ts',
  'test/sync/wipeConfirmation.test.ts',
  'test/sync/holdDeletes.test.ts',
  'test/sync/planRoom.test.ts',
  'test/rooms/**/*.test.ts',
  'test/sources/gatewayAnswer.test.ts',
  'test/ics/plainText.test.ts',
  'test/ics/vtimezone.test.ts',
  'test/ics/feedComponents.test.ts',
  'test/ics/feedToken.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      { test: { name: 'unit', include: unit, pool: 'forks', testTimeout: 60_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...unit, '**/node_modules/**'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ['testkit/support/globalSetup.ts'],
        },
      },
    ],
  },
});
