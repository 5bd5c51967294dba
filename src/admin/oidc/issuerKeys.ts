import { createLocalJWKSet, errors, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import type { FetchLike } from './discovery';
import { IssuerUnavailableError } from './errors';

/** Service.md: an unknown `kid` makes kada fetch the JWKS again, at most once a minute. */
export const UNKNOWN_KID_REFETCH_MS = 60_000;
/** Keys are re-read this often even when every kid is known, so a withdrawn key stops being trusted. */
export const KEYS_MAX_AGE_MS = 10 * 60_000;

export interface IssuerKeysOptions {
  /** Where the JWKS lives (the discovery document's `jwks_uri`), resolved when first needed. */
  jwksUri: () => Promise<string>;
  fetch: FetchLike;
  now: () => number;
  timeoutMs: number;
}

type KeyLookup = ReturnType<typeof createLocalJWKSet>;

/**
 * The issuer's signing keys (a JWK Set, RFC 7517 section 5), cached. Kept here rather than in
 * jose's createRemoteJWKSet so the refetch rule reads from one clock that tests can move.
 */
export class IssuerKeys {
  private lookup: KeyLookup | null = null;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly opts: IssuerKeysOptions) {}

  /** The key for a JWS header, in the shape jose's jwtVerify takes as its key argument. */
  readonly keyFor = async (header: JWSHeaderParameters, token: { payload: unknown; signature: unknown }) => {
    const now = this.opts.now();
    if (!this.lookup || now - this.fetchedAt >= KEYS_MAX_AGE_MS) await this.refresh(this.lookup !== null);
    try {
      return await (this.lookup as KeyLookup)(header, token as never);
    } catch (err) {
      // A key the cached set does not hold: the issuer may have rotated. Ask again, but not more than once a minute.
      if (!(err instanceof errors.JWKSNoMatchingKey) || now - this.fetchedAt < UNKNOWN_KID_REFETCH_MS) throw err;
      await this.refresh(false);
      return (this.lookup as KeyLookup)(header, token as never);
    }
  };

  /** Fetches the set once for every concurrent caller; `keepOld` uses the old set if the issuer is down. */
  private async refresh(keepOld: boolean): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    try {
      await this.inFlight;
    } catch (err) {
      if (!keepOld) throw err;
      // Keep trusting the keys we have, and let requests not wait on a down issuer again for a minute.
      this.fetchedAt = Math.max(this.fetchedAt, this.opts.now() - KEYS_MAX_AGE_MS + UNKNOWN_KID_REFETCH_MS);
    }
  }

  private async load(): Promise<void> {
    const uri = await this.opts.jwksUri();
    let body: unknown;
    try {
      const res = await this.opts.fetch(uri, {
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!res.ok) throw new IssuerUnavailableError(`the JWKS answered HTTP ${res.status}`);
      body = await res.json();
    } catch (err) {
      if (err instanceof IssuerUnavailableError) throw err;
      throw new IssuerUnavailableError(`the JWKS could not be read (${(err as Error).name})`);
    }
    const keys = (body as { keys?: unknown })?.keys;
    if (!Array.isArray(keys)) throw new IssuerUnavailableError('the JWKS is not a JWK Set');
    this.lookup = createLocalJWKSet(body as JSONWebKeySet);
    this.fetchedAt = this.opts.now();
  }
}
