import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import type { Config } from '../config/config';
import type { Logger } from '../log/logger';

/**
 * Graph access tokens by MSAL's client-credentials flow (shared/contracts/graph.md), with a client
 * secret or a certificate. MSAL caches the token and renews it before it expires. No secret or key
 * ever appears in an error message or a log line.
 */

export interface TokenProvider {
  /** A bearer token for Graph; `forceRefresh` skips MSAL's cache (after Graph answered 401). */
  getToken(opts?: { forceRefresh?: boolean }): Promise<string>;
}

export type GraphAuthErrorCode = 'GRAPH_AUTH_FAILED' | 'GRAPH_CERTIFICATE_INVALID' | 'GRAPH_CREDENTIAL_MISSING';

export class GraphAuthError extends Error {
  constructor(
    readonly code: GraphAuthErrorCode,
    message: string,
    readonly clientId: string,
    /** The Entra error number (AADSTS…), when the token endpoint gave one. */
    readonly aadCode?: string,
    /** The token endpoint was down or throttling (5xx, 429, network): trying again later can work. */
    readonly transient = false,
  ) {
    super(message);
    // The Graph client keeps only an error's name (as `code`) and message: the name must tell the kinds apart.
    this.name = transient ? TOKEN_UNAVAILABLE : TOKEN_REFUSED;
  }
}

const TOKEN_REFUSED = 'GraphAuthError';
const TOKEN_UNAVAILABLE = 'GraphAuthUnavailable';

/**
 * Whether `err` is a failure to get a token, and if so whether it may pass: a GraphAuthError, or
 * the GraphError the Graph client makes of one thrown while it asked for the token.
 */
export function tokenFailure(err: unknown): { transient: boolean } | null {
  if (err instanceof GraphAuthError) return { transient: err.transient };
  const code = (err as { code?: unknown } | null)?.code;
  return code === TOKEN_REFUSED ? { transient: false } : code === TOKEN_UNAVAILABLE ? { transient: true } : null;
}

/**
 * An outage of the token endpoint passes; a refused credential, tenant or scope does not. After a
 * 5xx or 429, MSAL itself refuses the same request for Retry-After (default 60 s) with a ServerError
 * that has no HTTP status: that is the same outage.
 */
function isTokenEndpointOutage(err: unknown): boolean {
  const e = err as { name?: string; status?: number; errorCode?: string };
  if (e.name === 'NetworkError') return true;
  if (typeof e.status === 'number') return e.status >= 500 || e.status === 429;
  return e.name === 'ServerError' || e.errorCode === 'server_error' || e.errorCode === 'temporarily_unavailable';
}

export interface ClientCertificateCredential {
  thumbprintSha256: string;
  privateKey: string;
  x5c: string;
}

/**
 * Reads a PEM file holding the app's certificate and its unencrypted private key (either order).
 * Returns what MSAL needs: the SHA-256 thumbprint, the key as PKCS#8 PEM, and the certificate.
 */
export function loadClientCertificate(
  pemText: string,
  clientId: string,
  path = 'AZURE_CLIENT_CERTIFICATE_PATH',
): ClientCertificateCredential {
  const invalid = (why: string) =>
    new GraphAuthError('GRAPH_CERTIFICATE_INVALID', `client certificate at ${path} ${why}`, clientId);
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pemText)?.[0];
  if (!certPem) throw invalid('has no PEM certificate (-----BEGIN CERTIFICATE-----)');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pemText))
    throw invalid('has an encrypted private key; kada needs it unencrypted');
  const keyPem = /-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (RSA |EC )?PRIVATE KEY-----/.exec(
    pemText,
  )?.[0];
  if (!keyPem) throw invalid('has no private key (-----BEGIN PRIVATE KEY-----)');
  let cert: X509Certificate;
  let privateKey: string;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw invalid('has a certificate that cannot be parsed');
  }
  try {
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'rsa') throw invalid('has a non-RSA key; Entra client assertions need RSA');
    const publicOfKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
    if (!publicOfKey.equals(cert.publicKey.export({ type: 'spki', format: 'der' })))
      throw invalid('has a private key that does not belong to its certificate');
    privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (err) {
    if (err instanceof GraphAuthError) throw err;
    throw invalid('has a private key that cannot be parsed');
  }
  return { thumbprintSha256: cert.fingerprint256.replace(/:/g, ''), privateKey, x5c: certPem };
}

/** `https://graph.microsoft.com/v1.0` -> `https://graph.microsoft.com/.default` */
export function graphScope(baseUrl: string): string {
  return `${new URL(baseUrl).origin}/.default`;
}

function redact(text: string, secrets: (string | undefined)[]): string {
  return secrets
    .filter((s): s is string => !!s && s.length >= 4)
    .reduce((acc, s) => acc.split(s).join('[redacted]'), text);
}

/** The first useful line of an MSAL error: its code and, for server errors, the AADSTS description. */
function describeMsalError(err: unknown): { text: string; aadCode?: string } {
  const e = err as { errorCode?: string; errorMessage?: string; message?: string; subError?: string };
  const raw = e.errorMessage || e.message || String(err);
  const aad = /AADSTS(\d+):\s*([^\r\n]*?)(?=\s+Trace ID:|\s+-\s+Correlation ID:|\s+Timestamp:|$)/.exec(raw);
  const detail = aad ? `AADSTS${aad[1]}: ${aad[2]}` : raw.split(/\r?\n/)[0]!;
  const code = e.errorCode && !detail.startsWith(e.errorCode) ? `${e.errorCode}: ` : '';
  return { text: `${code}${detail}`.slice(0, 600), aadCode: aad ? `AADSTS${aad[1]}` : undefined };
}

export function createTokenProvider(
  cfg: Config['graph'],
  deps: { logger?: Logger; readFile?: (path: string) => string } = {},
): TokenProvider {
  const authority = `${cfg.authorityHost.replace(/\/+$/, '')}/${cfg.tenantId}`;
  const scope = graphScope(cfg.baseUrl);
  let certificate: ClientCertificateCredential | undefined;
  if (!cfg.clientSecret) {
    if (!cfg.clientCertificatePath) {
      throw new GraphAuthError(
        'GRAPH_CREDENTIAL_MISSING',
        'no Graph credential: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH',
        cfg.clientId,
      );
    }
    let text: string;
    try {
      text = (deps.readFile ?? ((p) => fs.readFileSync(p, 'utf8')))(cfg.clientCertificatePath);
    } catch (err) {
      throw new GraphAuthError(
        'GRAPH_CERTIFICATE_INVALID',
        `cannot read AZURE_CLIENT_CERTIFICATE_PATH ${cfg.clientCertificatePath}: ` +
          `${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        cfg.clientId,
      );
    }
    certificate = loadClientCertificate(text, cfg.clientId, cfg.clientCertificatePath);
  }
  const log = deps.logger;
  const msalConfig: Configuration = {
    auth: {
      clientId: cfg.clientId,
      authority,
      // Without it MSAL asks login.microsoftonline.com for instance discovery, which fails for any other host.
      knownAuthorities: [new URL(cfg.authorityHost).host],
      ...(cfg.clientSecret ? { clientSecret: cfg.clientSecret } : { clientCertificate: certificate }),
    },
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (!log || level > LogLevel.Warning) return;
          const line = redact(message, [cfg.clientSecret]);
          if (level === LogLevel.Error) log.error({ component: 'msal' }, line);
          else log.warn({ component: 'msal' }, line);
        },
      },
    },
  };
  const cca = new ConfidentialClientApplication(msalConfig);
  const secrets = [cfg.clientSecret, certificate?.privateKey];
  let pending: Promise<string> | undefined;

  async function acquire(forceRefresh: boolean): Promise<string> {
    try {
      const result = await cca.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error('the token endpoint returned no access token');
      return result.accessToken;
    } catch (err) {
      const { text, aadCode } = describeMsalError(err);
      const hint =
        (err as { errorCode?: string }).errorCode === 'endpoints_resolution_error'
          ? ` (could not read ${authority}/v2.0/.well-known/openid-configuration: wrong AZURE_AUTHORITY_HOST or ` +
            `AZURE_TENANT_ID, host unreachable, or its certificate is not trusted; see NODE_EXTRA_CA_CERTS)`
          : '';
      throw new GraphAuthError(
        'GRAPH_AUTH_FAILED',
        redact(
          `could not get a Graph token for client ${cfg.clientId} from ${authority} (scope ${scope}): ${text}${hint}`,
          secrets,
        ),
        cfg.clientId,
        aadCode,
        isTokenEndpointOutage(err),
      );
    }
  }

  return {
    getToken(opts = {}) {
      // Callers that arrive while a request is running share it instead of asking the endpoint again.
      if (opts.forceRefresh) return acquire(true);
      pending ??= acquire(false).finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
