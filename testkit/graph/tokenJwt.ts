import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual, verify } from 'node:crypto';

/** The token emulator's JWT handling: decoding, its RS256 signing key, and issuing and checking access tokens. */

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signed: string;
  signature: Buffer;
}

export type TokenCheck = { ok: true; appId: string; roles: string[] } | { ok: false; message: string };

const b64urlJson = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || !header || typeof payload !== 'object' || !payload) return null;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url'),
    };
  } catch {
    return null;
  }
}

/** Compares secrets in constant time (hashes first, so lengths do not leak either). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export interface AppTokenClaims {
  audience: string;
  tenantId: string;
  clientId: string;
  oid: string;
  /** 2: the client proved itself with a certificate, 1: with a secret. */
  appidacr: '1' | '2';
  /** The application permissions granted to the app: an app-only token's `roles` claim. */
  roles: string[];
  lifetimeSeconds: number;
}

/**
 * The tenant's signing key. Access tokens look like Entra's v1.0 app-only tokens
 * (identity-platform/access-token-claims-reference): `idtyp` app, `roles` the granted application
 * permissions, no `scp`.
 */
export class TokenSigner {
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly kid = createHash('sha256')
    .update(this.key.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url')
    .slice(0, 27);
  private readonly live = new Set<string>();
  private readonly revoked = new Set<string>();

  jwk() {
    return this.key.publicKey.export({ format: 'jwk' });
  }

  issue(c: AppTokenClaims): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: this.kid };
    const payload = {
      aud: c.audience,
      iss: `https://sts.windows.net/${c.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + c.lifetimeSeconds,
      aio: randomUUID(),
      app_displayname: 'kada',
      appid: c.clientId,
      appidacr: c.appidacr,
      idp: `https://sts.windows.net/${c.tenantId}/`,
      idtyp: 'app',
      oid: c.oid,
      roles: c.roles,
      sub: c.oid,
      tid: c.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    this.live.add(payload.uti);
    const signed = `${b64urlJson(header)}.${b64urlJson(payload)}`;
    return `${signed}.${sign('sha256', Buffer.from(signed), this.key.privateKey).toString('base64url')}`;
  }

  /** Graph's view of a bearer token: signature, audience, lifetime; the app and its roles when valid. */
  check(token: string, audience: string | undefined): TokenCheck {
    const jwt = decodeJwt(token);
    if (!jwt) return { ok: false, message: 'IDX14100: JWT is not well formed, there are no dots (.).' };
    if (jwt.header.kid !== this.kid || !verify('sha256', Buffer.from(jwt.signed), this.key.publicKey, jwt.signature)) {
      return { ok: false, message: 'Access token validation failure. Invalid signature.' };
    }
    const p = jwt.payload;
    if (audience && p.aud !== audience)
      return { ok: false, message: 'Access token validation failure. Invalid audience.' };
    if (typeof p.exp !== 'number' || p.exp < Date.now() / 1000 || this.revoked.has(String(p.uti))) {
      return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    }
    const roles = Array.isArray(p.roles) ? p.roles.filter((r): r is string => typeof r === 'string') : [];
    return { ok: true, appId: String(p.appid), roles };
  }

  /** Every token issued so far becomes invalid, as if it expired. */
  expireAll(): void {
    for (const uti of this.live) this.revoked.add(uti);
    this.live.clear();
  }
}
