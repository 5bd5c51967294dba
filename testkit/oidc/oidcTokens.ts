import { SignJWT } from 'jose';
import { newSigningKey, type KeyRing } from './oidcKeys';

/** A test user of the provider: the claims its tokens carry. */
export interface OidcUser {
  sub: string;
  preferred_username?: string;
  upn?: string;
  name?: string;
  /** An Entra-style `roles` claim (app roles). */
  roles?: string[] | string;
  /** A Feide-style `groups` claim. */
  groups?: string[] | string;
}

export interface MintOptions {
  user: OidcUser;
  audience: string | string[];
  /** Seconds from now; negative for a token already expired. */
  expiresIn?: number;
  notBefore?: number;
  issuer?: string;
  nonce?: string;
  alg?: 'RS256' | 'PS256' | 'ES256';
  extra?: Record<string, unknown>;
}

export type BadToken = 'expired' | 'wrong-audience' | 'wrong-issuer' | 'foreign-key' | 'alg-none' | 'hs256-public-key';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Issues JWTs (RFC 7519) signed with the ring's current key, and the bad tokens a verifier must refuse. */
export class TokenMinter {
  constructor(
    private readonly ring: KeyRing,
    private readonly issuer: string,
    private readonly now: () => number,
  ) {}

  private claims(o: MintOptions): Record<string, unknown> {
    const iat = Math.floor(this.now() / 1000);
    const { user } = o;
    return {
      ...Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)),
      ...(o.nonce ? { nonce: o.nonce } : {}),
      ...o.extra,
      iss: o.issuer ?? this.issuer,
      aud: o.audience,
      iat,
      nbf: iat + (o.notBefore ?? 0),
      exp: iat + (o.expiresIn ?? 3600),
    };
  }

  async mint(o: MintOptions): Promise<string> {
    const key = o.alg === 'ES256' ? this.ring.ec : this.ring.current;
    return new SignJWT(this.claims(o))
      .setProtectedHeader({ alg: o.alg ?? 'RS256', typ: 'JWT', kid: key.kid })
      .sign(key.privateKey);
  }

  /** A token that must be refused for the reason named; otherwise as `mint` would issue it. */
  async mintBad(kind: BadToken, o: MintOptions): Promise<string> {
    switch (kind) {
      case 'expired':
        // Beyond the 60 s clock skew a verifier allows.
        return this.mint({ ...o, expiresIn: -120 });
      case 'wrong-audience':
        return this.mint({ ...o, audience: 'some-other-api' });
      case 'wrong-issuer':
        return this.mint({ ...o, issuer: `${this.issuer}/elsewhere` });
      case 'foreign-key': {
        // Signed by a key the issuer never published, under the kid of the one it does.
        const foreign = await newSigningKey();
        return new SignJWT(this.claims(o))
          .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.ring.current.kid })
          .sign(foreign.privateKey);
      }
      case 'alg-none':
        // An unsecured JWT (RFC 7519 section 6): empty signature.
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(this.claims(o))}.`;
      case 'hs256-public-key':
        // The key-confusion attack: an HMAC whose secret is the issuer's public key.
        return new SignJWT(this.claims(o))
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: this.ring.current.kid })
          .sign(new TextEncoder().encode(this.ring.current.publicPem));
    }
  }
}
