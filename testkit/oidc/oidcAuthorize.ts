import { randomBytes } from 'node:crypto';
import type { OidcUser } from './oidcTokens';

/** A registered client: its exact redirect URIs, and a secret if it is confidential (Feide-style). */
export interface OidcClient {
  clientId: string;
  redirectUris: string[];
  secret?: string;
}

export interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  scope: string;
  user: OidcUser;
  expiresAt: number;
}
export type PendingCodes = Map<string, PendingCode>;

/** RFC 6749 section 4.1.2 recommends codes live at most 10 minutes; a minute is plenty for tests. */
const CODE_LIFETIME_MS = 60_000;

export type AuthorizeResult =
  | { kind: 'form' }
  | { kind: 'error'; message: string }
  | { kind: 'redirect'; location: string };

interface AuthorizeContext {
  clients: Map<string, OidcClient>;
  codes: PendingCodes;
  users: Record<string, OidcUser>;
  now: () => number;
}

/**
 * The authorization endpoint (OpenID Connect Core 1.0 section 3.1.2, RFC 6749 section 4.1.1) with a
 * consent-free test login: `test_user=<name>` picks a configured user, or `test_sub` with `test_roles` /
 * `test_groups` (space-separated) makes one up. Without either it shows the login form.
 */
export function authorize(q: URLSearchParams, ctx: AuthorizeContext): AuthorizeResult {
  const client = ctx.clients.get(q.get('client_id') ?? '');
  // RFC 6749 section 4.1.2.1: with an unknown client or redirect URI, never redirect.
  if (!client) return { kind: 'error', message: 'unknown client_id' };
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!client.redirectUris.includes(redirectUri))
    return { kind: 'error', message: 'redirect_uri is not registered for this client' };
  const back = (params: Record<string, string>) => {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const state = q.get('state');
    if (state !== null) u.searchParams.set('state', state);
    return { kind: 'redirect' as const, location: u.toString() };
  };
  if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
  const scope = q.get('scope') ?? '';
  if (!scope.split(' ').includes('openid')) return back({ error: 'invalid_scope' });
  // PKCE is required (OAuth 2.0 Security BCP, RFC 9700 section 2.1.1), and only S256 (RFC 7636 section 4.2).
  const codeChallenge = q.get('code_challenge') ?? '';
  if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge) || q.get('code_challenge_method') !== 'S256')
    return back({ error: 'invalid_request', error_description: 'PKCE with code_challenge_method=S256 is required' });
  const name = q.get('test_user');
  const sub = q.get('test_sub');
  if (!name && !sub) return { kind: 'form' };
  const list = (v: string | null) => (v ? v.split(' ').filter(Boolean) : undefined);
  const user = name
    ? ctx.users[name]
    : { sub: sub!, preferred_username: sub!, roles: list(q.get('test_roles')), groups: list(q.get('test_groups')) };
  if (!user) return back({ error: 'access_denied', error_description: 'no such test user' });
  const code = randomBytes(32).toString('base64url');
  ctx.codes.set(code, {
    clientId: client.clientId,
    redirectUri,
    codeChallenge,
    nonce: q.get('nonce') ?? undefined,
    scope,
    user,
    expiresAt: ctx.now() + CODE_LIFETIME_MS,
  });
  return back({ code });
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The test login: one button per configured user; the request's parameters ride along as hidden fields. */
export function loginForm(q: URLSearchParams, users: Record<string, OidcUser>): string {
  const hidden = [...q.entries()]
    .filter(([k]) => !k.startsWith('test_'))
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const buttons = Object.entries(users)
    .map(([name, u]) => {
      const roles = [u.roles, u.groups].flat().filter(Boolean).join(', ');
      return (
        `<button type="submit" name="test_user" value="${escapeHtml(name)}">Sign in as ${escapeHtml(name)}</button>` +
        ` <small>${escapeHtml(u.preferred_username ?? u.sub)} (${escapeHtml(roles || 'no roles')})</small><br>`
      );
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1><p>No password: pick a test user.</p>
<form method="get" action="/authorize">${hidden}
${buttons}
</form></body></html>`;
}
