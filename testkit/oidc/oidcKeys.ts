import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';

/** One signing key of the provider: an RSA pair (RS256 and PS256 both use it) and its key id. */
export interface SigningKey {
  kid: string;
  /** A Node KeyObject, not a WebCrypto key: those are bound to one algorithm, this one signs RS256 and PS256. */
  privateKey: KeyObject;
  publicJwk: JWK;
  /** The public key as PEM text: what an attacker would use as an HMAC secret (the HS256 confusion). */
  publicPem: string;
}

export async function newSigningKey(type: 'rsa' | 'ec' = 'rsa'): Promise<SigningKey> {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  // RFC 7517 section 4: kty, use and kid; no "alg", as Entra's keys, so one RSA key serves RS256 and PS256.
  const publicJwk = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  return { kid, privateKey, publicJwk, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * The provider's key ring. Rotation adds a new current key and keeps the previous one published until
 * it is retired, as issuers do so tokens signed just before a rotation still verify.
 */
export class KeyRing {
  private keys: SigningKey[] = [];
  /** A P-256 key for ES256 tokens, published beside the RSA keys. */
  ec!: SigningKey;

  static async create(): Promise<KeyRing> {
    const ring = new KeyRing();
    ring.keys = [await newSigningKey()];
    ring.ec = await newSigningKey('ec');
    return ring;
  }

  get current(): SigningKey {
    return this.keys[0]!;
  }

  async rotate(): Promise<SigningKey> {
    const key = await newSigningKey();
    this.keys = [key, ...this.keys];
    return key;
  }

  /** Stops publishing every key but the current one. */
  retireOld(): void {
    this.keys = [this.current];
  }

  /** The JWK Set document (RFC 7517 section 5). */
  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys, this.ec].map((k) => k.publicJwk) };
  }
}
