import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { AdminOidcConfig } from '../../config/types';
import type { Caller } from '../caller';
import { callerFromClaims } from './callerFromClaims';
import { fetchDiscovery, type Discovery, type FetchLike } from './discovery';
import { IssuerUnavailableError, TokenRejectedError } from './errors';
import { IssuerKeys } from './issuerKeys';

/** Service.md: only these; never `none`, never HS* (a public key used as an HMAC secret). */
export const ALLOWED_ALGORITHMS = ['RS256', 'PS256', 'ES256'];
export const CLOCK_SKEW_SECONDS = 60;
/** After a failed discovery, the next request tries again no sooner than this. */
const DISCOVERY_RETRY_MS = 5_000;

export interface TokenVerifierOptions {
  fetch?: FetchLike;
  /** The clock for `exp`/`nbf` and the JWKS refetch rule (tests move it). */
  now?: () => number;
  timeoutMs?: number;
}

/**
 * Verifies the issuer's JWTs: API access tokens (`aud` one of ADMIN_OIDC_AUDIENCE) and, for the
 * page's sign-in, ID tokens (`aud` the client id, and the nonce kada sent). One discovery document
 * and one key cache per process.
 */
export class TokenVerifier {
  private discovered: Promise<Discovery> | null = null;
  private discoveryFailedAt = Number.NEGATIVE_INFINITY;
  private readonly keys: IssuerKeys;
  private readonly fetch: FetchLike;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(
    private readonly oidc: AdminOidcConfig,
    opts: TokenVerifierOptions = {},
  ) {
    this.fetch = opts.fetch ?? ((url, init) => fetch(url, init));
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.keys = new IssuerKeys({
      jwksUri: async () => (await this.discovery()).jwks_uri,
      fetch: this.fetch,
      now: this.now,
      timeoutMs: this.timeoutMs,
    });
  }

  /** The issuer's discovery document, read once (again after a failure, at most every 5 s). */
  discovery(): Promise<Discovery> {
    if (!this.discovered) {
      if (this.now() - this.discoveryFailedAt < DISCOVERY_RETRY_MS)
        return Promise.reject(new IssuerUnavailableError('the discovery document could not be read just now'));
      this.discovered = fetchDiscovery(this.oidc.issuer, this.fetch, this.timeoutMs).catch((err) => {
        this.discovered = null;
        this.discoveryFailedAt = this.now();
        throw err;
      });
    }
    return this.discovered;
  }

  /** The caller an API bearer token names; TokenRejectedError (401) or IssuerUnavailableError (503). */
  async verifyAccessToken(token: string): Promise<Caller> {
    return this.callerOf(await this.claims(token, this.oidc.audience));
  }

  /** The caller of an ID token from the page's sign-in, which must carry the nonce of that sign-in. */
  async verifyIdToken(token: string, nonce: string): Promise<Caller & { expiresAt: number }> {
    const claims = await this.claims(token, [this.oidc.clientId]);
    if (claims.nonce !== nonce) throw new TokenRejectedError('the ID token carries another nonce');
    return { ...this.callerOf(claims), expiresAt: (claims.exp as number) * 1000 };
  }

  private callerOf(claims: JWTPayload): Caller {
    const caller = callerFromClaims(claims, this.oidc.rolesClaim);
    if (!caller) throw new TokenRejectedError('the token names nobody (no preferred_username, upn or sub)');
    return caller;
  }

  private async claims(token: string, audience: string[]): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keys.keyFor, {
        issuer: this.oidc.issuer,
        audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(this.now()),
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (err) {
      if (err instanceof IssuerUnavailableError) throw err;
      // Whatever else failed (format, signature, a claim, an unknown key), the token is not accepted.
      const code = err instanceof errors.JOSEError ? err.code : (err as Error).name;
      throw new TokenRejectedError(`token not accepted (${code})`);
    }
  }
}
