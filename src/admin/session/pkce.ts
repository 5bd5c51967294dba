import { createHash } from 'node:crypto';

/** RFC 7636 section 4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))), method S256. */
export const codeChallengeOf = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** The authorization request (OpenID Connect Core 1.0 section 3.1.2.1) the browser is sent to. */
export function authorizationUrl(
  endpoint: string,
  p: { clientId: string; redirectUri: string; scopes: string; state: string; nonce: string; codeVerifier: string },
): string {
  const u = new URL(endpoint);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', p.clientId);
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('scope', p.scopes);
  u.searchParams.set('state', p.state);
  u.searchParams.set('nonce', p.nonce);
  u.searchParams.set('code_challenge', codeChallengeOf(p.codeVerifier));
  u.searchParams.set('code_challenge_method', 'S256');
  return u.toString();
}
