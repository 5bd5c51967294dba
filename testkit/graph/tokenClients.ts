import { X509Certificate, constants, createHash, randomUUID, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { EmulatedResponse } from './graphHttp';
import { decodeJwt, sameSecret } from './tokenJwt';
import { aadError as aadErrorAt, type TenantSite } from './tokenMetadata';

/**
 * The token emulator's app registrations and how a client proves itself: a client secret, or a
 * certificate-signed client assertion (RFC 7523, as MSAL builds it: PS256 + x5t#S256, or RS256 + x5t).
 */

export interface ClientRegistration {
  clientId: string;
  clientSecret?: string;
  /** PEM certificate (public part) whose key may sign client assertions. */
  certificatePem?: string;
  /** Application permissions admin-consented for this app: its tokens' `roles` (default: the emulator's). */
  roles?: string[];
}

export interface Client {
  clientId: string;
  oid: string;
  secrets: string[];
  certs: { pem: string; key: KeyObject; sha1: Buffer; sha256: Buffer }[];
  roles: string[];
}

type AadArgs = [status: number, error: string, code: number, description: string, headers?: Record<string, string>];

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

/** The registered apps by client id; registering an id again adds a secret or certificate (and may set its roles). */
export class ClientRegistry {
  private readonly clients = new Map<string, Client>();
  constructor(private readonly defaultRoles: readonly string[]) {}

  register(reg: ClientRegistration): void {
    const c = this.clients.get(reg.clientId) ?? {
      clientId: reg.clientId,
      oid: randomUUID(),
      secrets: [],
      certs: [],
      roles: [...this.defaultRoles],
    };
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
    if (reg.roles) c.roles = [...reg.roles];
    this.clients.set(reg.clientId, c);
  }

  get(clientId: string): Client | undefined {
    return this.clients.get(clientId);
  }
}

function checkAssertion(site: TenantSite, client: Client, assertion: string): EmulatedResponse | null {
  const aadError = (...a: AadArgs) => aadErrorAt(site, ...a);
  const tokenEndpoint = () => `${site.origin}/${site.tenantId}/oauth2/v2.0/token`;
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

/**
 * The client-credentials request (identity-platform/v2-oauth2-client-creds-grant-flow): the client by
 * secret (form or Basic) or certificate assertion, and the one `<resource>/.default` scope. Answers the
 * client to issue a token for, or the AADSTS error.
 */
export function authenticateClient(
  site: TenantSite,
  clients: ClientRegistry,
  form: URLSearchParams,
  authHeader: string | undefined,
): { client: Client } | EmulatedResponse {
  const aadError = (...a: AadArgs) => aadErrorAt(site, ...a);
  const { tenantId, graphOrigin } = site;
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
    const problem = checkAssertion(site, client, req.client_assertion);
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
  return { client };
}
