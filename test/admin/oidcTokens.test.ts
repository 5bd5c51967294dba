import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOidcConfig } from '../../src/config/types';
import { IssuerUnavailableError, TokenRejectedError } from '../../src/admin/oidc/errors';
import { TokenVerifier } from '../../src/admin/oidc/tokenVerifier';
import { startOidcProvider, type BadToken, type OidcProvider } from '../../testkit/oidc/oidcProvider';

let idp: OidcProvider;
const CLIENT = 'kada-admin';
const operator = { sub: 'sub-ola', preferred_username: 'ola@uio.no', roles: ['kada.operate'] };

const oidcConfig = (over: Partial<AdminOidcConfig> = {}): AdminOidcConfig => ({
  issuer: idp.issuer,
  clientId: CLIENT,
  audience: [CLIENT],
  rolesClaim: 'roles',
  scopes: 'openid profile',
  redirectUri: 'http://localhost:8080/auth/callback',
  ...over,
});

beforeAll(async () => {
  idp = await startOidcProvider({ clients: [{ clientId: CLIENT, redirectUris: [] }] });
});
afterAll(async () => {
  await idp?.close();
});

describe('access tokens from the issuer', () => {
  it('accepts a valid token and names the caller and roles (kada.operate includes kada.read)', async () => {
    const v = new TokenVerifier(oidcConfig());
    const caller = await v.verifyAccessToken(await idp.mint({ user: operator, audience: CLIENT }));
    expect(caller.actor).toBe('ola@uio.no');
    expect([...caller.roles].sort()).toEqual(['kada.operate', 'kada.read']);
    for (const alg of ['PS256', 'ES256'] as const) {
      const other = await v.verifyAccessToken(await idp.mint({ user: operator, audience: CLIENT, alg }));
      expect(other.actor, alg).toBe('ola@uio.no');
    }
  });

  it.each<BadToken>(['expired', 'wrong-audience', 'wrong-issuer', 'foreign-key', 'alg-none', 'hs256-public-key'])(
    'refuses a %s token',
    async (kind) => {
      const v = new TokenVerifier(oidcConfig());
      const token = await idp.mintBad(kind, { user: operator, audience: CLIENT });
      const err = await v.verifyAccessToken(token).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenRejectedError);
      // The reason never carries the token itself.
      expect((err as Error).message).not.toContain(token.slice(0, 20));
    },
  );

  it('allows 60 s of clock skew on exp and nbf, and no more', async () => {
    let clock = Date.now();
    const v = new TokenVerifier(oidcConfig(), { now: () => clock });
    const token = await idp.mint({ user: operator, audience: CLIENT, expiresIn: 30 });
    clock += 80_000; // 50 s past exp
    expect((await v.verifyAccessToken(token)).actor).toBe('ola@uio.no');
    clock += 20_000; // 70 s past exp
    await expect(v.verifyAccessToken(token)).rejects.toBeInstanceOf(TokenRejectedError);
    const early = await idp.mint({ user: operator, audience: CLIENT, notBefore: 300 });
    clock = Date.now();
    await expect(v.verifyAccessToken(early)).rejects.toBeInstanceOf(TokenRejectedError);
  });

  it('accepts any audience of a comma-separated ADMIN_OIDC_AUDIENCE (Entra v1 and v2 forms)', async () => {
    const v = new TokenVerifier(oidcConfig({ audience: [CLIENT, `api://${CLIENT}`] }));
    for (const aud of [CLIENT, `api://${CLIENT}`])
      expect((await v.verifyAccessToken(await idp.mint({ user: operator, audience: aud }))).actor).toBe('ola@uio.no');
    await expect(
      v.verifyAccessToken(await idp.mint({ user: operator, audience: 'api://other' })),
    ).rejects.toBeInstanceOf(TokenRejectedError);
  });

  it('names the actor by preferred_username, upn or sub, and reads roles as an array or a string', async () => {
    const v = new TokenVerifier(oidcConfig());
    const upn = await v.verifyAccessToken(
      await idp.mint({ user: { sub: 's1', upn: 'kari@uio.no', roles: 'kada.read other' }, audience: CLIENT }),
    );
    expect(upn.actor).toBe('kari@uio.no');
    expect([...upn.roles]).toEqual(['kada.read']);
    const sub = await v.verifyAccessToken(await idp.mint({ user: { sub: 's2', roles: ['Admin'] }, audience: CLIENT }));
    expect(sub.actor).toBe('s2');
    expect(sub.roles.size).toBe(0);
  });

  it('reads a Feide-style groups claim when ADMIN_OIDC_ROLES_CLAIM=groups', async () => {
    const v = new TokenVerifier(oidcConfig({ rolesClaim: 'groups' }));
    const user = { sub: 'feide-1', preferred_username: 'per@uio.no', groups: ['fc:org:uio.no', 'kada.read'] };
    const caller = await v.verifyAccessToken(await idp.mint({ user, audience: CLIENT }));
    expect([...caller.roles]).toEqual(['kada.read']);
    // The roles claim is ignored then: a token with roles only has none.
    const rolesOnly = await v.verifyAccessToken(await idp.mint({ user: operator, audience: CLIENT }));
    expect(rolesOnly.roles.size).toBe(0);
  });

  it('follows a key rotation without restart, asking for the JWKS again at most once a minute', async () => {
    let clock = Date.now();
    const v = new TokenVerifier(oidcConfig(), { now: () => clock });
    const before = idp.stats().jwks;
    const oldToken = await idp.mint({ user: operator, audience: CLIENT });
    await v.verifyAccessToken(oldToken);
    expect(idp.stats().jwks - before).toBe(1);

    await idp.rotateKeys();
    const newToken = await idp.mint({ user: operator, audience: CLIENT });
    // Within the minute after the last fetch, an unknown kid is refused without asking again.
    for (let i = 0; i < 3; i++) await expect(v.verifyAccessToken(newToken)).rejects.toBeInstanceOf(TokenRejectedError);
    expect(idp.stats().jwks - before).toBe(1);
    clock += 61_000;
    expect((await v.verifyAccessToken(newToken)).actor).toBe('ola@uio.no');
    expect(idp.stats().jwks - before).toBe(2);
    // The old key is still published, so its tokens still verify.
    expect((await v.verifyAccessToken(oldToken)).actor).toBe('ola@uio.no');

    // Once the issuer withdraws it, the next periodic read drops it.
    idp.retireOldKeys();
    clock += 11 * 60_000;
    await expect(v.verifyAccessToken(oldToken)).rejects.toBeInstanceOf(TokenRejectedError);
    expect((await v.verifyAccessToken(newToken)).actor).toBe('ola@uio.no');
  });

  it('reports an unreachable issuer as unavailable, not as a bad token', async () => {
    const v = new TokenVerifier(oidcConfig({ issuer: 'https://localhost:9' }));
    const token = await idp.mint({ user: operator, audience: CLIENT });
    await expect(v.verifyAccessToken(token)).rejects.toBeInstanceOf(IssuerUnavailableError);
  });

  it('refuses a discovery document that names another issuer', async () => {
    const v = new TokenVerifier(oidcConfig({ issuer: `${idp.issuer}/` }));
    await expect(v.discovery()).rejects.toThrow(/another issuer/);
  });
});

describe('an issuer down after the keys were read', () => {
  it('keeps verifying with the keys it has, and asks the issuer again only a minute later', async () => {
    let clock = Date.now();
    let down = false;
    let asked = 0;
    const v = new TokenVerifier(oidcConfig(), {
      now: () => clock,
      fetch: (url, init) => {
        if (url.endsWith('/jwks')) asked++;
        return down ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init);
      },
    });
    const token = await idp.mint({ user: operator, audience: CLIENT });
    await v.verifyAccessToken(token);
    down = true;
    clock += 11 * 60_000; // the keys are due to be read again
    expect((await v.verifyAccessToken(token)).actor).toBe('ola@uio.no');
    expect((await v.verifyAccessToken(token)).actor).toBe('ola@uio.no');
    expect(asked).toBe(2);
    clock += 61_000;
    await v.verifyAccessToken(token);
    expect(asked).toBe(3);
  });
});
