import { loadConfig } from '../config/config';
import { createAppContext, type AppContext } from '../app/context';
import { createLogger } from '../log/logger';
import { secretValues } from '../config/config';
import { UnknownPersonError, UsageError } from './usage';
import { resolvePerson } from '../sync/resolvePerson';

/** Builds the app context for one CLI command and closes it afterwards. Logs go to stderr. */
export async function withContext<T>(fn: (ctx: AppContext) => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const logger = createLogger({
    level: opts.quiet ? 'warn' : config.logLevel,
    secrets: secretValues(process.env),
    destination: process.stderr as never,
    pseudonymKey: config.logKey,
  });
  const ctx = await createAppContext(config, { logger, poolSize: Math.min(config.workers + 4, 30) });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

export async function personOrFail(ctx: Pick<AppContext, 'db' | 'fs' | 'config'>, query: string): Promise<string> {
  if (!query.trim()) throw new UsageError('a person is required: personlopenummer, username or e-mail');
  const id = await resolvePerson(ctx, query);
  if (!id) throw new UnknownPersonError(query, 'not known to kada or FS by number, username or e-mail');
  return id;
}
