import { z } from 'zod';
import type { AdminOidcConfig } from '../../config/types';
import type { FetchLike } from '../oidc/discovery';
import { IssuerUnavailableError, TokenRejectedError } from '../oidc/errors';

const tokenAnswer = z.looseObject({ id_token: z.string().min(1), token_type: z.string().optional() });

/**
 * Redeems an authorization code at the token endpoint (RFC 6749 section 4.1.3) with the PKCE verifier
 * (RFC 7636 section 4.5); a confidential client also authenticates with HTTP Basic (section 2.3.1).
 * kada's server does this, so no token ever reaches the browser. Returns the ID token.
 */
export async function redeemCode(
  oidc: AdminOidcConfig,
  tokenEndpoint: string,
  code: string,
  codeVerifier: string,
  fetchImpl: FetchLike = (url, init) => fetch(url, init),
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: oidc.redirectUri,
    client_id: oidc.clientId,
    code_verifier: codeVerifier,
  });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (oidc.clientSecret) {
    // Section 2.3.1: id and secret are form-urlencoded before they are joined.
    const pair = `${encodeURIComponent(oidc.clientId)}:${encodeURIComponent(oidc.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  let res: Response;
  try {
    res = await fetchImpl(tokenEndpoint, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new IssuerUnavailableError(`the token endpoint could not be reached (${(err as Error).name})`);
  }
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null;
  if (res.status >= 500) throw new IssuerUnavailableError(`the token endpoint answered HTTP ${res.status}`);
  if (!res.ok) {
    // RFC 6749 section 5.2: `error` is a code from a fixed list; the description is not shown on.
    const code = typeof body?.error === 'string' && /^[a-z_]{1,40}$/.test(body.error) ? body.error : 'invalid';
    throw new TokenRejectedError(`the issuer refused the code (${code})`);
  }
  const parsed = tokenAnswer.safeParse(body);
  if (!parsed.success) throw new TokenRejectedError('the token endpoint answered without an ID token');
  return parsed.data.id_token;
}
