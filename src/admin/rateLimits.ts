import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config';
import { AdminHttpError } from './httpErrors';

/**
 * Per-caller rate limits on the admin API's expensive or dangerous routes (issue 17): a diff re-reads
 * FS and TP, a rebuild rewrites a calendar, a forget erases a person. Counted per actor (the caller of
 * caller.ts), else per IP, over a minute, in this process's memory: with N replicas behind a load
 * balancer a caller gets up to N times the limit. Good enough against a runaway script; a shared
 * store (PostgreSQL) would make it exact at the cost of a write per request.
 */
export type LimitedRoute = keyof Config['adminRateLimits'];

export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    // After the authentication hook (onRequest), so the caller is known and a 401 counts for nothing.
    hook: 'preHandler',
    keyGenerator: (req) => (req.caller ? `actor:${req.caller.actor}` : `ip:${req.ip}`),
    // Thrown to the error handler, which answers {error, message}; the plugin has set Retry-After.
    errorResponseBuilder: (_req, c) =>
      new AdminHttpError(
        429,
        'rate_limited',
        `too many requests: at most ${c.max} a minute of this kind per caller; try again in ${c.after}`,
      ),
  });
}

/** The route option that limits one route: `app.get(url, limitOf(config, 'diff'), handler)`. */
export function limitOf(config: Pick<Config, 'adminRateLimits'>, route: LimitedRoute) {
  return {
    // A HEAD route would count apart (a store of its own) and run the whole diff for no body.
    exposeHeadRoute: false,
    config: { rateLimit: { max: config.adminRateLimits[route], timeWindow: 60_000 } },
  };
}
