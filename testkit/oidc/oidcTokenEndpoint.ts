import { createHash } from 'node:crypto';
import { sameSecret } from '../graph/tokenJwt';
import type { OidcClient, PendingCodes } from './oidcAuthorize';
import type { TokenMinter } from './oidcTokens';

interface TokenContext {
  clients: Map<string, OidcClient>;
  codes: PendingCodes;
  minter: TokenMinter;
  now: () => number;
  lifetime: number;
  accessTokenAudience?: string;
}

type TokenAnswer = { status: number; body: Record<string, unknown> };
/** RFC 6749 section 5.2 error answers. */
const fail = (status: number, error: string, description: string): TokenAnswer => ({
  status,
  body: { error, error_description: description },
});

/** RFC 6749 section 2.3.1: HTTP Basic (form-urlencoded id and secret) or the client_secret_post fields. */
function clientCredentials(form: URLSearchParams, authorization: string | undefined) {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? undefined };
}

/**
 * The token endpoint for the authorization code grant (RFC 6749 section 4.1.3) with PKCE verification
 * (RFC 7636 section 4.6: BASE64URL(SHA256(code_verifier)) must equal the code_challenge). A code is
 * redeemable once. Answers carry an ID token (OpenID Connect Core 1.0 section 3.1.3.3) and an access token.
 */
export async function tokenEndpoint(raw: string, authorization: string | undefined, ctx: TokenContext) {
  const form = new URLSearchParams(raw);
  if (form.get('grant_type') !== 'authorization_code')
    return fail(400, 'unsupported_grant_type', 'only authorization_code');
  const { id, secret } = clientCredentials(form, authorization);
  const client = ctx.clients.get(id);
  if (!client || (client.secret !== undefined && !sameSecret(secret ?? '', client.secret)))
    return fail(401, 'invalid_client', 'client authentication failed');
  const code = form.get('code') ?? '';
  const pending = ctx.codes.get(code);
  ctx.codes.delete(code);
  if (!pending || pending.expiresAt < ctx.now() || pending.clientId !== client.clientId)
    return fail(400, 'invalid_grant', 'the code is unknown, used, expired or for another client');
  if (form.get('redirect_uri') !== pending.redirectUri)
    return fail(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
  const verifier = form.get('code_verifier') ?? '';
  // RFC 7636 section 4.1: 43 to 128 characters of the unreserved set.
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
    return fail(400, 'invalid_grant', 'code_verifier missing or malformed');
  if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge)
    return fail(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
  const common = { user: pending.user, expiresIn: ctx.lifetime };
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: ctx.lifetime,
      scope: pending.scope,
      access_token: await ctx.minter.mint({
        ...common,
        audience: ctx.accessTokenAudience ?? client.clientId,
        extra: { scp: pending.scope, azp: client.clientId },
      }),
      id_token: await ctx.minter.mint({ ...common, audience: client.clientId, nonce: pending.nonce }),
    },
  };
}
