import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createSession,
  deleteSession,
  findSession,
  randomValue,
  saveSignIn,
  takeSignIn,
} from '../../store/adminSessions';
import { secretsEqual } from '../auth';
import { CSRF_HEADER, type SessionLookup } from '../authenticate';
import { IssuerUnavailableError, TokenRejectedError } from '../oidc/errors';
import type { TokenVerifier } from '../oidc/tokenVerifier';
import { redeemCode } from '../session/codeExchange';
import { cookieOf, SESSION_COOKIE, SIGN_IN_COOKIE, setCookie } from '../session/cookies';
import { authorizationUrl } from '../session/pkce';
import type { AdminDeps } from './deps';

/** A sign-in must come back within this. */
const SIGN_IN_TTL_S = 600;
/** However long the issuer's ID token lives, a session ends after this (roles are read again at sign-in). */
const MAX_SESSION_S = 12 * 3600;

/**
 * The admin page's sign-in as a backend-for-frontend (OAuth 2.0 for Browser-Based Applications, BFF
 * pattern): kada's server runs the authorization code flow with PKCE, redeems the code itself and keeps
 * only a session in PostgreSQL; the browser gets an HttpOnly, SameSite=Strict cookie and never a token.
 * Requests other than GET send the session's CSRF token in the x-kada-csrf header (authenticate.ts).
 */
export function signInRoutes(app: FastifyInstance, deps: AdminDeps, verifier: TokenVerifier | null) {
  const { ctx } = deps;
  const oidc = ctx.config.adminOidc;
  const secure = oidc ? new URL(oidc.redirectUri).protocol === 'https:' : false;
  const log = ctx.logger.child({ component: 'admin-sign-in' });

  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');
  const failed = (reply: FastifyReply, why: string) => reply.redirect(`/?signin_error=${encodeURIComponent(why)}`);

  app.get('/auth/session', async (req, reply) => {
    noStore(reply);
    const s = await sessionOf(req);
    const ways = { signIn: !!oidc, tokenPaste: !!ctx.config.adminToken };
    if (!s) return { signedIn: false, ...ways };
    return {
      signedIn: true,
      ...ways,
      actor: s.caller.actor,
      roles: [...s.caller.roles].sort(),
      csrfToken: s.csrfToken,
    };
  });

  app.get('/auth/login', async (_req, reply) => {
    noStore(reply);
    if (!oidc || !verifier)
      return reply.code(404).send({ error: 'not_found', message: 'ADMIN_OIDC_ISSUER is not set' });
    const endpoint = await verifier.discovery().then(
      (d) => d.authorization_endpoint,
      () => undefined,
    );
    if (!endpoint) return failed(reply, 'issuer_unavailable');
    const state = randomValue();
    const sign = { codeVerifier: randomValue(), nonce: randomValue() };
    await saveSignIn(ctx.db, state, sign, SIGN_IN_TTL_S);
    // Binds the callback to this browser, so nobody can sign someone else in with their own code.
    setCookie(reply, SIGN_IN_COOKIE, state, { path: '/auth', maxAgeSeconds: SIGN_IN_TTL_S, sameSite: 'Lax', secure });
    return reply.redirect(authorizationUrl(endpoint, { ...oidc, ...sign, state }));
  });

  app.get('/auth/callback', async (req, reply) => {
    noStore(reply);
    if (!oidc || !verifier)
      return reply.code(404).send({ error: 'not_found', message: 'ADMIN_OIDC_ISSUER is not set' });
    const q = req.query as Record<string, unknown>;
    const state = typeof q.state === 'string' ? q.state : '';
    setCookie(reply, SIGN_IN_COOKIE, '', { path: '/auth', maxAgeSeconds: 0, sameSite: 'Lax', secure });
    if (!state || !secretsEqual(cookieOf(req, SIGN_IN_COOKIE), state)) return failed(reply, 'state_mismatch');
    const sign = await takeSignIn(ctx.db, state);
    if (!sign) return failed(reply, 'sign_in_expired');
    if (typeof q.error === 'string') return failed(reply, /^[a-z_]{1,40}$/.test(q.error) ? q.error : 'refused');
    if (typeof q.code !== 'string' || !q.code) return failed(reply, 'no_code');
    try {
      const endpoint = (await verifier.discovery()).token_endpoint;
      if (!endpoint) throw new IssuerUnavailableError('the discovery document names no token endpoint');
      const idToken = await redeemCode(oidc, endpoint, q.code, sign.codeVerifier);
      const who = await verifier.verifyIdToken(idToken, sign.nonce);
      const expiresAt = new Date(Math.min(who.expiresAt, Date.now() + MAX_SESSION_S * 1000));
      const session = await createSession(ctx.db, who, expiresAt);
      setCookie(reply, SESSION_COOKIE, session.id, {
        path: '/',
        maxAgeSeconds: (expiresAt.getTime() - Date.now()) / 1000,
        sameSite: 'Strict',
        secure,
      });
      log.info({ roles: [...who.roles] }, 'admin signed in');
      return reply.redirect('/');
    } catch (err) {
      if (err instanceof TokenRejectedError || err instanceof IssuerUnavailableError) {
        log.warn({ reason: err.message }, 'admin sign-in failed');
        return failed(reply, err instanceof IssuerUnavailableError ? 'issuer_unavailable' : 'token_rejected');
      }
      throw err;
    }
  });

  app.post('/auth/logout', async (req, reply) => {
    noStore(reply);
    const id = cookieOf(req, SESSION_COOKIE);
    const s = await sessionOf(req);
    if (s && !secretsEqual(req.headers[CSRF_HEADER], s.csrfToken))
      return reply.code(403).send({ error: 'csrf', message: `send the ${CSRF_HEADER} header` });
    if (id) await deleteSession(ctx.db, id);
    setCookie(reply, SESSION_COOKIE, '', { path: '/', maxAgeSeconds: 0, sameSite: 'Strict', secure });
    return reply.code(204).send();
  });

  /** The session the request's cookie names; what authenticate.ts consults for /api without a bearer. */
  async function sessionOf(req: FastifyRequest): Promise<SessionLookup | null> {
    if (!oidc) return null;
    const id = cookieOf(req, SESSION_COOKIE);
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    return findSession(ctx.db, id);
  }
  return { sessionOf };
}
