import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/server';
import { startOidcProvider, type OidcProvider } from '../../testkit/oidc/oidcProvider';
import { scriptedSignIn } from '../../testkit/oidc/scriptedSignIn';
import { startAdminFixture, type AdminFixture } from './fixture';

const CLIENT = 'kada-admin-page';
const REDIRECT = 'https://kada-admin.uio.example/auth/callback';
let idp: OidcProvider;
let f: AdminFixture;
let server: AdminServer;

beforeAll(async () => {
  idp = await startOidcProvider({
    clients: [{ clientId: CLIENT, redirectUris: [REDIRECT], secret: 'feide-style-client-secret' }],
    users: {
      reader: { sub: 'r', preferred_username: 'kari@uio.no', groups: ['fc:org:uio.no', 'kada.read'] },
      operator: { sub: 'o', preferred_username: 'ola@uio.no', groups: 'kada.operate' },
    },
  });
  // Feide-style: a confidential client and the roles in a groups claim; behind TLS, so the cookie is Secure.
  f = await startAdminFixture({
    ADMIN_TOKEN: undefined,
    ADMIN_OIDC_ISSUER: idp.issuer,
    ADMIN_OIDC_CLIENT_ID: CLIENT,
    ADMIN_OIDC_CLIENT_SECRET: 'feide-style-client-secret',
    ADMIN_OIDC_ROLES_CLAIM: 'groups',
    ADMIN_OIDC_REDIRECT_URI: REDIRECT,
  });
  server = await startAdminServer(f.ctx, {
    port: 0,
    host: '127.0.0.1',
    isReady: async () => ({ database: true, broker: true }),
  });
});
afterAll(async () => {
  await server?.close();
  await f?.close();
  await idp?.close();
});

describe('the page sign-in at the HTTP level', () => {
  it('sends the browser to the issuer with PKCE (S256), state and nonce, binding the state to a cookie', async () => {
    const res = await fetch(`${server.url}/auth/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${idp.issuer}/authorize`);
    const q = Object.fromEntries(to.searchParams);
    expect(q).toMatchObject({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: REDIRECT,
      scope: 'openid profile',
    });
    expect(q.code_challenge_method).toBe('S256');
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kada_signin='))!;
    expect(cookie).toBe(`kada_signin=${q.state}; Path=/auth; Max-Age=600; HttpOnly; SameSite=Lax; Secure`);
  });

  it('signs in with a groups claim and a confidential client; the session cookie is Secure behind https', async () => {
    const login = await fetch(`${server.url}/auth/login`, { redirect: 'manual' });
    const chosen = new URL(login.headers.get('location')!);
    chosen.searchParams.set('test_user', 'operator');
    const back = new URL((await fetch(chosen, { redirect: 'manual' })).headers.get('location')!);
    const signIn = login.headers.getSetCookie()[0]!.split(';')[0]!;
    const done = await fetch(`${server.url}${back.pathname}${back.search}`, {
      redirect: 'manual',
      headers: { cookie: signIn },
    });
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/');
    const session = done.headers.getSetCookie().find((c) => c.startsWith('kada_session='))!;
    expect(session).toMatch(
      /^kada_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/,
    );
    const who = await (
      await fetch(`${server.url}/auth/session`, { headers: { cookie: session.split(';')[0]! } })
    ).json();
    expect(who).toMatchObject({ signedIn: true, signIn: true, tokenPaste: false, actor: 'ola@uio.no' });
    expect(who.roles).toEqual(['kada.operate', 'kada.read']);
    // The state was used up: the same callback again is refused.
    const again = await fetch(`${server.url}${back.pathname}${back.search}`, {
      redirect: 'manual',
      headers: { cookie: signIn },
    });
    expect(again.headers.get('location')).toBe('/?signin_error=sign_in_expired');
  });

  it('gives a reader from the groups claim reads and 403 on changes; a change needs the CSRF header', async () => {
    const reader = await scriptedSignIn(server.url, 'reader');
    expect(reader.roles).toEqual(['kada.read']);
    const person = f.institution.aStudent().personlopenummer;
    const status = await fetch(`${server.url}/api/status`, { headers: { cookie: reader.cookie } });
    expect(status.status).toBe(200);
    const rebuild = await fetch(`${server.url}/api/persons/${person}/rebuild`, {
      method: 'POST',
      headers: { cookie: reader.cookie, 'x-kada-csrf': reader.csrfToken },
    });
    expect(rebuild.status).toBe(403);
    const operator = await scriptedSignIn(server.url, 'operator');
    const noCsrf = await fetch(`${server.url}/api/persons/${person}/rebuild`, {
      method: 'POST',
      headers: { cookie: operator.cookie },
    });
    expect(noCsrf.status).toBe(403);
    const wrongCsrf = await fetch(`${server.url}/api/persons/${person}/rebuild`, {
      method: 'POST',
      headers: { cookie: operator.cookie, 'x-kada-csrf': reader.csrfToken },
    });
    expect(wrongCsrf.status).toBe(403);
    const ok = await fetch(`${server.url}/api/persons/${person}/rebuild`, {
      method: 'POST',
      headers: { cookie: operator.cookie, 'x-kada-csrf': operator.csrfToken },
    });
    expect(ok.status).toBe(202);
  });

  it('ends a session at its expiry, whatever the browser keeps', async () => {
    const s = await scriptedSignIn(server.url, 'operator');
    await f.ctx.db.query(`UPDATE admin_sessions SET expires_at = now() - interval '1 second'`);
    expect((await fetch(`${server.url}/api/status`, { headers: { cookie: s.cookie } })).status).toBe(401);
    const who = await (await fetch(`${server.url}/auth/session`, { headers: { cookie: s.cookie } })).json();
    expect(who.signedIn).toBe(false);
  });

  it('stores neither the cookie value nor the state, only their hashes', async () => {
    const s = await scriptedSignIn(server.url, 'operator');
    const value = s.cookie.split('=')[1]!;
    const rows = await f.ctx.db.query(`SELECT encode(id_hash, 'hex') AS h FROM admin_sessions`);
    expect(rows.map((r: { h: string }) => r.h)).toContain(createHash('sha256').update(value).digest('hex'));
    expect(JSON.stringify(await f.ctx.db.query(`SELECT * FROM admin_sessions`))).not.toContain(value);
  });
});

describe('the test provider (RFC 6749 section 4.1, RFC 7636)', () => {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  async function codeFor(params: Record<string, string>) {
    const u = new URL(`${idp.issuer}/authorize`);
    const all = {
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      test_user: 'reader',
      ...params,
    };
    for (const [k, v] of Object.entries(all)) if (v !== '') u.searchParams.set(k, v);
    return fetch(u, { redirect: 'manual' });
  }
  const redeem = (code: string, v: string, secret = 'feide-style-client-secret') =>
    fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: CLIENT,
        client_secret: secret,
        code_verifier: v,
      }),
    });

  it('redeems a code once, only with the verifier of its challenge and the client secret', async () => {
    const code = () => codeFor({}).then((r) => new URL(r.headers.get('location')!).searchParams.get('code')!);
    const wrong = await redeem(await code(), randomBytes(32).toString('base64url'));
    expect([wrong.status, (await wrong.json()).error]).toEqual([400, 'invalid_grant']);
    const badClient = await redeem(await code(), verifier, 'not-the-secret');
    expect([badClient.status, (await badClient.json()).error]).toEqual([401, 'invalid_client']);
    const c = await code();
    const ok = await redeem(c, verifier);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(await ok.json()).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'scope',
      'token_type',
    ]);
    const reused = await redeem(c, verifier);
    expect((await reused.json()).error).toBe('invalid_grant');
  });

  it('requires PKCE S256 and never redirects to an unregistered URI', async () => {
    const plain = await codeFor({ code_challenge_method: 'plain' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const none = await codeFor({ code_challenge: '', code_challenge_method: '' });
    expect(new URL(none.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const elsewhere = await codeFor({ redirect_uri: 'https://evil.example/cb' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
  });
});
