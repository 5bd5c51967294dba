import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, startHttpsServer } from '../graph/graphHttp';
import { authorize, loginForm, type OidcClient, type PendingCodes } from './oidcAuthorize';
import { KeyRing } from './oidcKeys';
import { tokenEndpoint } from './oidcTokenEndpoint';
import { TokenMinter, type BadToken, type MintOptions, type OidcUser } from './oidcTokens';

export type { BadToken, MintOptions, OidcUser } from './oidcTokens';
export type { OidcClient } from './oidcAuthorize';

/**
 * An OpenID Connect provider for tests and the demo, offline: discovery (OpenID Connect Discovery 1.0),
 * a JWK Set with key rotation (RFC 7517), an authorization endpoint with a consent-free test login, and a
 * token endpoint for the authorization code grant (RFC 6749 section 4.1) with PKCE (RFC 7636, S256 only).
 * `mint` and `mintBad` issue tokens directly, for API tests.
 */
export interface OidcProviderOptions {
  port?: number;
  certDir?: string;
  /** Plain HTTP on localhost instead of TLS: for the demo, whose browser does not trust the test CA. */
  plainHttp?: boolean;
  clients?: OidcClient[];
  /** `aud` of the access tokens the token endpoint issues (default: the client id, as Entra v2 for its own API). */
  accessTokenAudience?: string;
  /** Test users offered on the login form, by name; a login may also name roles and groups itself. */
  users?: Record<string, OidcUser>;
  tokenLifetimeSeconds?: number;
  now?: () => number;
}

export interface OidcProviderStats {
  discovery: number;
  jwks: number;
  authorize: number;
  token: number;
  issued: number;
}

export interface OidcProvider {
  /** `https://localhost:<port>`; the discovery document is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  port: number;
  registerClient(client: OidcClient): void;
  mint(o: MintOptions): Promise<string>;
  mintBad(kind: BadToken, o: MintOptions): Promise<string>;
  /** Publishes a new signing key and signs with it from now on; the old key stays published. */
  rotateKeys(): Promise<void>;
  retireOldKeys(): void;
  stats(): OidcProviderStats;
  close(): Promise<void>;
}

export async function startOidcProvider(opts: OidcProviderOptions = {}): Promise<OidcProvider> {
  const now = opts.now ?? Date.now;
  const ring = await KeyRing.create();
  const clients = new Map((opts.clients ?? []).map((c) => [c.clientId, c]));
  const codes: PendingCodes = new Map();
  const stats: OidcProviderStats = { discovery: 0, jwks: 0, authorize: 0, token: 0, issued: 0 };
  let issuer = '';
  let minter: TokenMinter;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const type = typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json';
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers }).end(text);
    };
    (async () => {
      if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
        stats.discovery++;
        return send(200, discoveryDocument(issuer));
      }
      if (req.method === 'GET' && url.pathname === '/jwks') {
        stats.jwks++;
        return send(200, ring.jwks());
      }
      if (req.method === 'GET' && url.pathname === '/authorize') {
        stats.authorize++;
        const r = authorize(url.searchParams, { clients, codes, users: opts.users ?? {}, now });
        if (r.kind === 'form') return send(200, loginForm(url.searchParams, opts.users ?? {}));
        if (r.kind === 'error') return send(400, `<!doctype html><title>error</title><p>${r.message}</p>`);
        return send(302, '', { location: r.location });
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        stats.token++;
        const r = await tokenEndpoint(await readBody(req), req.headers.authorization, {
          clients,
          codes,
          minter,
          now,
          lifetime: opts.tokenLifetimeSeconds ?? 3600,
          accessTokenAudience: opts.accessTokenAudience,
        });
        if (r.status === 200) stats.issued++;
        return send(r.status, r.body, r.status === 401 ? { 'www-authenticate': 'Basic' } : {});
      }
      return send(404, { error: 'not_found' });
    })().catch((err) => send(500, { error: 'server_error', error_description: String(err) }));
  };

  const started = opts.plainHttp
    ? await startPlainServer(handler, opts.port)
    : await startHttpsServer(handler, { port: opts.port, certDir: opts.certDir });
  issuer = started.origin;
  minter = new TokenMinter(ring, issuer, now);
  return {
    issuer,
    port: started.port,
    registerClient: (c) => void clients.set(c.clientId, c),
    mint: (o) => minter.mint(o),
    mintBad: (kind, o) => minter.mintBad(kind, o),
    rotateKeys: async () => void (await ring.rotate()),
    retireOldKeys: () => ring.retireOld(),
    stats: () => ({ ...stats }),
    close: () => started.close(),
  };
}

/** OpenID Connect Discovery 1.0 section 3 (https://openid.net/specs/openid-connect-discovery-1_0.html). */
function discoveryDocument(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256'],
    scopes_supported: ['openid', 'profile', 'groups'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    grant_types_supported: ['authorization_code'],
    // RFC 7636 section 4.2: S256 only; "plain" would let a stolen challenge redeem the code.
    code_challenge_methods_supported: ['S256'],
    claims_supported: ['sub', 'preferred_username', 'name', 'roles', 'groups', 'nonce'],
  };
}

async function startPlainServer(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    origin: `http://localhost:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
