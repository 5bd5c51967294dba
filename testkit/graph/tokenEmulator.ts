import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, seededRandom, sleep, startHttpsServer, writeResponse, type EmulatedResponse } from './graphHttp';
import { DEFAULT_ROLES } from './graphPermissions';
import { authenticateClient, ClientRegistry, type ClientRegistration } from './tokenClients';
import { TokenSigner, type TokenCheck } from './tokenJwt';
import { aadError, jwks, openIdMetadata, type TenantSite } from './tokenMetadata';

export type { ClientRegistration } from './tokenClients';
export type { TokenCheck } from './tokenJwt';

/**
 * A Microsoft identity platform (Entra ID) token endpoint for MSAL's client-credentials flow:
 * the tenant's OpenID metadata, JWKS, and `/oauth2/v2.0/token` with a client secret or a
 * certificate-signed client assertion (tokenClients). Errors look like AADSTS answers (tokenMetadata).
 * Access tokens are RS256 JWTs (tokenJwt) whose `roles` carry the app's granted application
 * permissions, which the Graph emulator verifies and checks.
 */

export type TokenFaultKind = '429' | '500' | '503' | 'timeout';

export interface TokenFaults {
  rate429?: number;
  rate500?: number;
  rate503?: number;
  rateTimeout?: number;
  hangMs?: number;
}

export interface TokenEmulatorOptions {
  port?: number;
  certDir?: string;
  tenantId?: string;
  /** Origin of the Graph (emulator) the tokens are for; the only accepted scope is `<origin>/.default`. */
  graphOrigin?: string;
  clients?: ClientRegistration[];
  tokenLifetimeSeconds?: number;
  seed?: number;
  /**
   * Application permissions admin-consented for the registered apps, issued as the tokens' `roles`
   * (default Calendars.ReadWrite and MailboxSettings.ReadWrite); a registration may set its own.
   */
  roles?: string[];
}

export interface TokenStats {
  metadataRequests: number;
  tokenRequests: number;
  issued: number;
  byStatus: Record<string, number>;
  /** AADSTS codes answered, e.g. `{ "7000215": 1 }`. */
  errors: Record<string, number>;
  faults: Record<string, number>;
}

export interface TokenEmulator {
  /** `https://localhost:<port>`, the AZURE_AUTHORITY_HOST. */
  authorityHost: string;
  /** `<authorityHost>/<tenantId>`. */
  authority: string;
  tenantId: string;
  port: number;
  registerClient(reg: ClientRegistration): void;
  /** Sets the audience/scope once the Graph emulator's origin is known. */
  setGraphOrigin(origin: string): void;
  verifyAccessToken(token: string): TokenCheck;
  /** Makes every token issued so far invalid (as if it expired), to exercise re-authentication. */
  expireTokens(): void;
  setFaults(f: TokenFaults): void;
  failNext(kind: TokenFaultKind, n?: number): void;
  stats(): TokenStats;
  resetStats(): void;
  close(): Promise<void>;
}

const emptyStats = (): TokenStats => ({
  metadataRequests: 0,
  tokenRequests: 0,
  issued: 0,
  byStatus: {},
  errors: {},
  faults: {},
});

/** Injected faults of the token endpoint: queued ones first, then random rates. */
class TokenFaultPlan {
  faults: TokenFaults = {};
  private readonly queue: { kind: TokenFaultKind; remaining: number }[] = [];
  constructor(private readonly random: () => number) {}

  failNext(kind: TokenFaultKind, n: number) {
    this.queue.push({ kind, remaining: n });
  }

  take(): TokenFaultKind | undefined {
    const q = this.queue[0];
    if (q) {
      if (--q.remaining <= 0) this.queue.shift();
      return q.kind;
    }
    const roll = (r?: number) => !!r && this.random() < r;
    if (roll(this.faults.rate429)) return '429';
    if (roll(this.faults.rate503)) return '503';
    if (roll(this.faults.rate500)) return '500';
    if (roll(this.faults.rateTimeout)) return 'timeout';
    return undefined;
  }
}

/** How Entra answers a token request it was told to fail. */
async function faultAnswer(
  site: TenantSite,
  fault: TokenFaultKind,
  hangMs: number,
  closing: AbortSignal,
): Promise<EmulatedResponse> {
  const unavailable = 'A transient error has occurred. Please try again.';
  if (fault === 'timeout') {
    await sleep(hangMs, closing);
    return aadError(site, 504, 'temporarily_unavailable', 90033, unavailable);
  }
  if (fault === '429') {
    const loop = 'The server terminated an operation because it encountered a client request loop.';
    return aadError(site, 429, 'temporarily_unavailable', 50196, loop, { 'Retry-After': '1' });
  }
  if (fault === '503')
    return aadError(site, 503, 'temporarily_unavailable', 90033, unavailable, { 'Retry-After': '1' });
  return aadError(site, 500, 'server_error', 90100, 'An unexpected error occurred on the server.');
}

interface TokenService {
  site: TenantSite;
  clients: ClientRegistry;
  signer: TokenSigner;
  plan: TokenFaultPlan;
  stats: () => TokenStats;
  lifetime: number;
  closing: AbortSignal;
}

function issueToken(s: TokenService, clientId: string): EmulatedResponse {
  const client = s.clients.get(clientId)!;
  const token = s.signer.issue({
    audience: s.site.graphOrigin ?? 'https://graph.microsoft.com',
    tenantId: s.site.tenantId,
    clientId: client.clientId,
    oid: client.oid,
    appidacr: client.certs.length ? '2' : '1',
    roles: client.roles,
    lifetimeSeconds: s.lifetime,
  });
  s.stats().issued++;
  return {
    status: 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store, no-cache',
      Pragma: 'no-cache',
    },
    body: { token_type: 'Bearer', expires_in: s.lifetime, ext_expires_in: s.lifetime, access_token: token },
  };
}

/** One request to the token emulator: metadata, keys or a token, for this tenant only. */
async function route(s: TokenService, req: IncomingMessage): Promise<EmulatedResponse> {
  const { site } = s;
  const url = new URL(req.url ?? '/', 'https://localhost');
  const segs = url.pathname.split('/').filter(Boolean);
  const tenant = segs[0];
  const rest = segs.slice(1).join('/');
  const isMetadata = req.method === 'GET' && rest === 'v2.0/.well-known/openid-configuration';
  const isToken = req.method === 'POST' && rest === 'oauth2/v2.0/token';
  const isKeys = req.method === 'GET' && rest === 'discovery/v2.0/keys';
  if (!isMetadata && !isToken && !isKeys)
    return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' };
  if (tenant !== site.tenantId) {
    return aadError(
      site,
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the ` +
        `correct cloud.`,
    );
  }
  if (isMetadata) {
    s.stats().metadataRequests++;
    return openIdMetadata(site);
  }
  if (isKeys) return jwks(site, s.signer.jwk(), s.signer.kid);
  s.stats().tokenRequests++;
  const body = await readBody(req);
  const fault = s.plan.take();
  if (fault) {
    s.stats().faults[fault] = (s.stats().faults[fault] ?? 0) + 1;
    return faultAnswer(site, fault, s.plan.faults.hangMs ?? 120_000, s.closing);
  }
  const answer = authenticateClient(site, s.clients, new URLSearchParams(body), req.headers.authorization);
  return 'client' in answer ? issueToken(s, answer.client.clientId) : answer;
}

export async function startTokenEmulator(opts: TokenEmulatorOptions = {}): Promise<TokenEmulator> {
  const site: TenantSite = {
    tenantId: opts.tenantId ?? randomUUID(),
    origin: '',
    graphOrigin: opts.graphOrigin?.replace(/\/+$/, ''),
  };
  const clients = new ClientRegistry(opts.roles ?? DEFAULT_ROLES);
  for (const c of opts.clients ?? []) clients.register(c);
  const signer = new TokenSigner();
  const closing = new AbortController();
  let stats = emptyStats();
  const s: TokenService = {
    site,
    clients,
    signer,
    plan: new TokenFaultPlan(seededRandom(opts.seed ?? Date.now())),
    stats: () => stats,
    lifetime: opts.tokenLifetimeSeconds ?? 3599,
    closing: closing.signal,
  };

  function handler(req: IncomingMessage, res: ServerResponse) {
    route(s, req)
      .catch(
        (): EmulatedResponse =>
          aadError(site, 500, 'server_error', 90100, 'An unexpected error occurred on the server.'),
      )
      .then((r) => {
        stats.byStatus[String(r.status)] = (stats.byStatus[String(r.status)] ?? 0) + 1;
        const code = (r.body as { error_codes?: number[] } | undefined)?.error_codes?.[0];
        if (code !== undefined) stats.errors[String(code)] = (stats.errors[String(code)] ?? 0) + 1;
        writeResponse(res, r);
      });
  }

  const server = await startHttpsServer(handler, { port: opts.port, certDir: opts.certDir });
  site.origin = server.origin;

  return {
    authorityHost: site.origin,
    authority: `${site.origin}/${site.tenantId}`,
    tenantId: site.tenantId,
    port: server.port,
    registerClient: (reg) => clients.register(reg),
    setGraphOrigin(o: string) {
      site.graphOrigin = o.replace(/\/+$/, '');
    },
    verifyAccessToken: (token: string): TokenCheck => signer.check(token, site.graphOrigin),
    expireTokens: () => signer.expireAll(),
    setFaults(f: TokenFaults) {
      s.plan.faults = { ...f };
    },
    failNext(kind: TokenFaultKind, n = 1) {
      s.plan.failNext(kind, n);
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = emptyStats();
    },
    close: async () => {
      closing.abort();
      await server.close();
    },
  };
}
