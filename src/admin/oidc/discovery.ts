import { z } from 'zod';
import { IssuerUnavailableError } from './errors';

/**
 * The issuer's OpenID Provider Configuration (OpenID Connect Discovery 1.0, section 4:
 * https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig). Only the fields kada uses.
 */
export const discoverySchema = z.looseObject({
  issuer: z.string().min(1),
  jwks_uri: z.url(),
  authorization_endpoint: z.url().optional(),
  token_endpoint: z.url().optional(),
  end_session_endpoint: z.url().optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type Discovery = z.infer<typeof discoverySchema>;

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** The document at `<issuer>/.well-known/openid-configuration`, whose `issuer` must equal ours exactly (4.3). */
export async function fetchDiscovery(issuer: string, fetchImpl: FetchLike, timeoutMs: number): Promise<Discovery> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: unknown;
  try {
    const res = await fetchImpl(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new IssuerUnavailableError(`the discovery document answered HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    if (err instanceof IssuerUnavailableError) throw err;
    throw new IssuerUnavailableError(`the discovery document could not be read (${(err as Error).name})`);
  }
  const parsed = discoverySchema.safeParse(body);
  if (!parsed.success) throw new IssuerUnavailableError('the discovery document is not an OpenID configuration');
  if (parsed.data.issuer !== issuer)
    throw new IssuerUnavailableError('the discovery document names another issuer than ADMIN_OIDC_ISSUER');
  return parsed.data;
}
