import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/types';
import type { Logger } from '../log/logger';
import { bearerMatches, bearerToken, secretsEqual } from './auth';
import { adminTokenCaller, type Caller } from './caller';
import { IssuerUnavailableError, TokenRejectedError } from './oidc/errors';
import type { TokenVerifier } from './oidc/tokenVerifier';
import { requiredRole } from './routeRoles';

/** A signed-in page's caller and the CSRF token its mutating requests must echo (admin/session/). */
export interface SessionLookup {
  caller: Caller;
  csrfToken: string;
}

export interface Authenticator {
  config: Pick<Config, 'adminToken' | 'adminOidc'>;
  verifier: TokenVerifier | null;
  /** The page's session named by the request's cookie, if any (only with ADMIN_OIDC_ISSUER). */
  session?: (req: FastifyRequest) => Promise<SessionLookup | null>;
  log: Logger;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-kada-csrf';

/** Marks an answer sent by the checks below. */
const answered = (_reply: FastifyReply) => true;

const unauthorized = (reply: FastifyReply) =>
  reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });

/**
 * Decides the caller of an /api request and whether its role suffices (service.md "Admin HTTP API"):
 * a bearer token (ADMIN_TOKEN, else the issuer's JWT) or the page's session cookie; 401 without a
 * valid one, 403 without the route's role. Answers never echo the token or say why it failed.
 * True when it answered: the hook must then stop the request (`reply.sent` is still false while an async
 * onSend hook, such as the audit's, runs, so it cannot tell).
 */
export async function authenticate(a: Authenticator, req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const { adminToken, adminOidc } = a.config;
  if (!adminToken && !adminOidc)
    return answered(
      reply.code(503).send({
        error: 'admin API disabled',
        message: 'set ADMIN_TOKEN or ADMIN_OIDC_ISSUER to enable the admin API',
      }),
    );
  let caller: Caller | null = null;
  if (req.headers.authorization !== undefined) {
    if (adminToken && bearerMatches(req.headers.authorization, adminToken)) caller = adminTokenCaller;
    else if (a.verifier) {
      const token = bearerToken(req.headers.authorization);
      if (!token) return answered(unauthorized(reply));
      try {
        caller = await a.verifier.verifyAccessToken(token);
      } catch (err) {
        if (err instanceof TokenRejectedError) {
          a.log.debug({ reason: err.message }, 'admin API: bearer token not accepted');
          return answered(unauthorized(reply));
        }
        if (err instanceof IssuerUnavailableError) {
          a.log.warn({ error: err.message }, 'admin API: the sign-in issuer could not be reached');
          return answered(
            reply.code(503).send({
              error: 'issuer_unavailable',
              message: 'the sign-in provider could not be reached to check the token; try again shortly',
            }),
          );
        }
        throw err;
      }
    }
  } else if (a.session) {
    const s = await a.session(req);
    if (s && !SAFE_METHODS.has(req.method) && !secretsEqual(req.headers[CSRF_HEADER], s.csrfToken))
      return answered(
        reply.code(403).send({ error: 'csrf', message: `a signed-in page must send the ${CSRF_HEADER} header` }),
      );
    caller = s?.caller ?? null;
  }
  if (!caller) return answered(unauthorized(reply));
  req.caller = caller;
  const route = req.routeOptions.url;
  if (route === undefined) return false; // an unknown /api path: the caller may learn it does not exist (404)
  const role = requiredRole(req.method, route);
  if (!caller.roles.has(role))
    return answered(reply.code(403).send({ error: 'forbidden', message: `this needs the role ${role}` }));
  return false;
}
