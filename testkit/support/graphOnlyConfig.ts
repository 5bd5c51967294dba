import { type Config, loadConfig } from '../../src/config/config';

/**
 * A valid kada config for tests that talk to the Graph emulator only: the database, broker and
 * sources are placeholders nothing connects to; `env` adds the emulator's variables and overrides.
 */
export function graphOnlyConfig(env: Record<string, string>): Config {
  return loadConfig({
    DATABASE_URL: 'postgres://x@127.0.0.1/x',
    AMQP_URL: 'amqp://127.0.0.1',
    TP_BASE_URL: 'http://127.0.0.1/tp',
    TP_API_KEY: 'k',
    FS_BASE_URL: 'http://127.0.0.1/fs',
    FS_API_KEY: 'k',
    KADA_INSTITUTION: 'uio',
    ...env,
  });
}
