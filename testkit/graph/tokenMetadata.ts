import { randomUUID } from 'node:crypto';
import type { EmulatedResponse } from './graphHttp';

/** The token emulator's fixed answers: the tenant's OpenID metadata, its JWKS, and AADSTS error bodies. */

/** Where the tenant lives and which Graph its tokens are for. */
export interface TenantSite {
  tenantId: string;
  /** `https://localhost:<port>` of the token emulator. */
  origin: string;
  graphOrigin?: string;
}

/** An error as Entra answers it: `error`, an `AADSTS<code>: ...` description with trace ids, `error_codes`. */
export function aadError(
  site: TenantSite,
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
      error_uri: `${site.origin}/error?code=${code}`,
    },
  };
}

/** `<tenant>/v2.0/.well-known/openid-configuration`, which MSAL reads before its first token request. */
export function openIdMetadata(site: TenantSite): EmulatedResponse {
  const { origin, graphOrigin } = site;
  const base = `${origin}/${site.tenantId}`;
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

/** `<tenant>/discovery/v2.0/keys`: the public half of the signing key. */
export function jwks(site: TenantSite, jwk: object, kid: string): EmulatedResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256', issuer: `${site.origin}/${site.tenantId}/v2.0` }] },
  };
}
