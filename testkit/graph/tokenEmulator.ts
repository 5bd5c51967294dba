import {
  X509Certificate,
  constants,
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBody, seededRandom, sleep, startHttpsServer, writeResponse, type EmulatedResponse } from './graphHttp';

/**
 * A Microsoft identity platform (Entra ID) token endpoint for MSAL's client-credentials flow:
 * the tenant's OpenID metadata, JWKS, and `/oauth2/v2.0/token` with a client secret or a
 * certificate-signed client assertion (RFC 7523, as MSAL builds it: PS256 + x5t#S256, or RS256 +
 * x5t). Errors look like AADSTS answers. Access tokens are RS256 JWTs the Graph emulator verifies.
 */

export interface ClientRegistration {
  clientId: string;
  clientSecret?: string;
  /** PEM certificate (public part) whose key may sign client assertions. */
  certificatePem?: string;
}

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
}

export type TokenCheck = { ok: true; appId: string } | { ok: false; message: string };

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

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CLOCK_SKEW_S = 300;

const TokenRequest = z.object({
  grant_type: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  client_assertion: z.string().optional(),
  client_assertion_type: z.string().optional(),
  scope: z.string().optional(),
});

interface Client {
  clientId: string;
  oid: string;
  secrets: string[];
  certs: { pem: string; key: KeyObject; sha1: Buffer; sha256: Buffer }[];
}

function b64urlJson(v: unknown) {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function decodeJwt(
  token: string,
): { header: Record<string, unknown>; payload: Record<string, unknown>; signed: string; signature: Buffer } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || !header || typeof payload !== 'object' || !payload) return null;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url'),
    };
  } catch {
    return null;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export async function startTokenEmulator(opts: TokenEmulatorOptions = {}): Promise<TokenEmulator> {
  const tenantId = opts.tenantId ?? randomUUID();
  let graphOrigin = opts.graphOrigin?.replace(/\/+$/, '');
  const lifetime = opts.tokenLifetimeSeconds ?? 3599;
  const random = seededRandom(opts.seed ?? Date.now());
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = createHash('sha256')
    .update(signingKey.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 27);
  const clients = new Map<string, Client>();
  const closing = new AbortController();
  const liveTokens = new Set<string>();
  const revokedTokens = new Set<string>();
  let faults: TokenFaults = {};
  const queue: { kind: TokenFaultKind; remaining: number }[] = [];
  let stats: TokenStats = { metadataRequests: 0, tokenRequests: 0, issued: 0, byStatus: {}, errors: {}, faults: {} };

  function registerClient(reg: ClientRegistration) {
    const c = clients.get(reg.clientId) ?? { clientId: reg.clientId, oid: randomUUID(), secrets: [], certs: [] };
    if (reg.clientSecret) c.secrets.push(reg.clientSecret);
    if (reg.certificatePem) {
      const x509 = new X509Certificate(reg.certificatePem);
      c.certs.push({
        pem: reg.certificatePem,
        key: x509.publicKey,
        sha1: createHash('sha1').update(x509.raw).digest(),
        sha256: createHash('sha256').update(x509.raw).digest(),
      });
    }
    clients.set(reg.clientId, c);
  }
  for (const c of opts.clients ?? []) registerClient(c);

  let origin = '';
  const tokenEndpoint = () => `${origin}/${tenantId}/oauth2/v2.0/token`;

  function aadError(
    status: number,
    error: string,
    code: number,
    description: string,
    headers: Record<string, string> = {},
  ): EmulatedResponse {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    stats.errors[String(code)] = (stats.errors[String(code)] ?? 0) + 1;
    return {
      status,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', ...headers },
      body: {
        error,
        error_description:
          `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} ` +
          `Timestamp: ${timestamp}`,
        error_codes: [code],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `${origin}/error?code=${code}`,
      },
    };
  }

  function metadata(): EmulatedResponse {
    const base = `${origin}/${tenantId}`;
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${origin}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: [
          'sub',
          'iss',
          'cloud_instance_name',
          'cloud_instance_host_name',
          'cloud_graph_host_name',
          'msgraph_host',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'acr',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'at_hash',
          'c_hash',
          'email',
        ],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: new URL(origin).host,
        cloud_graph_host_name: graphOrigin ? new URL(graphOrigin).host : 'graph.windows.net',
        msgraph_host: graphOrigin ? new URL(graphOrigin).host : 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      },
    };
  }

  function jwks(): EmulatedResponse {
    const jwk = signingKey.publicKey.export({ format: 'jwk' });
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256', issuer: `${origin}/${tenantId}/v2.0` }] },
    };
  }

  function issueToken(client: Client): EmulatedResponse {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid };
    const payload = {
      aud: graphOrigin ?? 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      aio: randomUUID(),
      app_displayname: 'kada',
      appid: client.clientId,
      appidacr: client.certs.length ? '2' : '1',
      idp: `https://sts.windows.net/${tenantId}/`,
      idtyp: 'app',
      oid: client.oid,
      roles: ['Calendars.ReadWrite'],
      sub: client.oid,
      tid: tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    liveTokens.add(payload.uti);
    const signed = `${b64urlJson(header)}.${b64urlJson(payload)}`;
    const token = `${signed}.${sign('sha256', Buffer.from(signed), signingKey.privateKey).toString('base64url')}`;
    stats.issued++;
    return {
      status: 200,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store, no-cache',
        Pragma: 'no-cache',
      },
      body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
    };
  }

  function checkAssertion(client: Client, assertion: string): EmulatedResponse | null {
    const jwt = decodeJwt(assertion);
    if (!jwt) return aadError(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
    const alg = jwt.header.alg;
    const x5tS256 =
      typeof jwt.header['x5t#S256'] === 'string' ? Buffer.from(jwt.header['x5t#S256'], 'base64url') : undefined;
    const x5t = typeof jwt.header.x5t === 'string' ? Buffer.from(jwt.header.x5t, 'base64url') : undefined;
    const cert = client.certs.find((c) => (x5tS256 && c.sha256.equals(x5tS256)) || (x5t && c.sha1.equals(x5t)));
    if (!cert) {
      const thumb = (x5tS256 ?? x5t)?.toString('hex').toUpperCase() ?? 'none';
      return aadError(
        401,
        'invalid_client',
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason ` +
          `- The key was not found., Thumbprint of key used by client: '${thumb}', Please visit the Azure Portal, ` +
          `Graph Explorer or directly use MS Graph to see configured keys for app Id '${client.clientId}'.]`,
      );
    }
    let ok = false;
    if (alg === 'PS256') {
      ok = verify(
        'sha256',
        Buffer.from(jwt.signed),
        { key: cert.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
        jwt.signature,
      );
    } else if (alg === 'RS256') {
      ok = verify('sha256', Buffer.from(jwt.signed), cert.key, jwt.signature);
    }
    if (!ok) return aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    const p = jwt.payload;
    if (p.iss !== client.clientId || p.sub !== client.clientId) {
      return aadError(
        401,
        'invalid_client',
        700021,
        "Client assertion application identifier doesn't match 'client_id' parameter.",
      );
    }
    const audiences = Array.isArray(p.aud) ? p.aud : [p.aud];
    if (!audiences.includes(tokenEndpoint())) {
      return aadError(
        401,
        'invalid_client',
        700212,
        `Client assertion audience claim does not match Realm issuer. Expected '${tokenEndpoint()}'.`,
      );
    }
    const now = Date.now() / 1000;
    if (
      typeof p.exp !== 'number' ||
      p.exp < now - CLOCK_SKEW_S ||
      (typeof p.nbf === 'number' && p.nbf > now + CLOCK_SKEW_S)
    ) {
      return aadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }
    return null;
  }

  function tokenRequest(form: URLSearchParams, authHeader: string | undefined): EmulatedResponse {
    const parsed = TokenRequest.safeParse(Object.fromEntries(form));
    const req = parsed.success ? parsed.data : {};
    let clientId = req.client_id;
    let clientSecret = req.client_secret;
    const basic = authHeader && /^Basic\s+(.+)$/i.exec(authHeader);
    if (basic) {
      const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      clientId ??= decodeURIComponent(id ?? '');
      clientSecret ??= decodeURIComponent(secret ?? '');
    }
    if (req.grant_type !== 'client_credentials') {
      return aadError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${req.grant_type ?? ''}'.`,
      );
    }
    if (!clientId)
      return aadError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    const client = clients.get(clientId);
    if (!client) {
      return aadError(
        401,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if ` +
          `the application has not been installed by the administrator of the tenant or consented to by any user in ` +
          `the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    if (req.client_assertion) {
      if (req.client_assertion_type !== ASSERTION_TYPE) {
        return aadError(400, 'invalid_request', 50027, `The client_assertion_type must be '${ASSERTION_TYPE}'.`);
      }
      const problem = checkAssertion(client, req.client_assertion);
      if (problem) return problem;
    } else if (clientSecret) {
      if (!client.secrets.some((s) => sameSecret(s, clientSecret!))) {
        return aadError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ` +
            `not the client secret ID, for a secret added to app '${clientId}'.`,
        );
      }
    } else {
      return aadError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const scopes = (req.scope ?? '')
      .split(/\s+/)
      .filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
    if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default')) {
      return aadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scopes.join(' ') || '(none)'} is not valid. Client credential flows must ` +
          `have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = scopes[0]!.slice(0, -'/.default'.length).replace(/\/+$/, '');
    if (graphOrigin && resource !== graphOrigin) {
      return aadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${tenantId}. This can happen if ` +
          `the application has not been installed by the administrator of the tenant or consented to by any user in ` +
          `the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    return issueToken(client);
  }

  function takeFault(): TokenFaultKind | undefined {
    const q = queue[0];
    if (q) {
      if (--q.remaining <= 0) queue.shift();
      return q.kind;
    }
    const roll = (r?: number) => !!r && random() < r;
    if (roll(faults.rate429)) return '429';
    if (roll(faults.rate503)) return '503';
    if (roll(faults.rate500)) return '500';
    if (roll(faults.rateTimeout)) return 'timeout';
    return undefined;
  }

  async function route(req: IncomingMessage): Promise<EmulatedResponse> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const segs = url.pathname.split('/').filter(Boolean);
    const tenant = segs[0];
    const rest = segs.slice(1).join('/');
    const isMetadata = req.method === 'GET' && rest === 'v2.0/.well-known/openid-configuration';
    const isToken = req.method === 'POST' && rest === 'oauth2/v2.0/token';
    const isKeys = req.method === 'GET' && rest === 'discovery/v2.0/keys';
    if (!isMetadata && !isToken && !isKeys)
      return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' };
    if (tenant !== tenantId) {
      return aadError(
        400,
        'invalid_tenant',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the ` +
          `correct cloud.`,
      );
    }
    if (isMetadata) {
      stats.metadataRequests++;
      return metadata();
    }
    if (isKeys) return jwks();
    stats.tokenRequests++;
    const body = await readBody(req);
    const fault = takeFault();
    if (fault) {
      stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
      if (fault === 'timeout') {
        await sleep(faults.hangMs ?? 120_000, closing.signal);
        return aadError(504, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.');
      }
      if (fault === '429')
        return aadError(
          429,
          'temporarily_unavailable',
          50196,
          'The server terminated an operation because it encountered a client request loop.',
          { 'Retry-After': '1' },
        );
      if (fault === '503')
        return aadError(503, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.', {
          'Retry-After': '1',
        });
      return aadError(500, 'server_error', 90100, 'An unexpected error occurred on the server.');
    }
    return tokenRequest(new URLSearchParams(body), req.headers.authorization);
  }

  function handler(req: IncomingMessage, res: ServerResponse) {
    route(req)
      .catch(
        (): EmulatedResponse => aadError(500, 'server_error', 90100, 'An unexpected error occurred on the server.'),
      )
      .then((r) => {
        stats.byStatus[String(r.status)] = (stats.byStatus[String(r.status)] ?? 0) + 1;
        writeResponse(res, r);
      });
  }

  const server = await startHttpsServer(handler, { port: opts.port, certDir: opts.certDir });
  origin = server.origin;

  return {
    authorityHost: origin,
    authority: `${origin}/${tenantId}`,
    tenantId,
    port: server.port,
    registerClient,
    setGraphOrigin(o: string) {
      graphOrigin = o.replace(/\/+$/, '');
    },
    verifyAccessToken(token: string): TokenCheck {
      const jwt = decodeJwt(token);
      if (!jwt) return { ok: false, message: 'IDX14100: JWT is not well formed, there are no dots (.).' };
      if (jwt.header.kid !== kid || !verify('sha256', Buffer.from(jwt.signed), signingKey.publicKey, jwt.signature)) {
        return { ok: false, message: 'Access token validation failure. Invalid signature.' };
      }
      const p = jwt.payload;
      if (graphOrigin && p.aud !== graphOrigin)
        return { ok: false, message: 'Access token validation failure. Invalid audience.' };
      const now = Date.now() / 1000;
      if (typeof p.exp !== 'number' || p.exp < now || revokedTokens.has(String(p.uti))) {
        return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
      }
      return { ok: true, appId: String(p.appid) };
    },
    expireTokens() {
      for (const uti of liveTokens) revokedTokens.add(uti);
      liveTokens.clear();
    },
    setFaults(f: TokenFaults) {
      faults = { ...f };
    },
    failNext(kind: TokenFaultKind, n = 1) {
      queue.push({ kind, remaining: n });
    },
    stats: () => structuredClone(stats),
    resetStats() {
      stats = { metadataRequests: 0, tokenRequests: 0, issued: 0, byStatus: {}, errors: {}, faults: {} };
    },
    close: async () => {
      closing.abort();
      await server.close();
    },
  };
}
