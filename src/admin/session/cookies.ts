import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'kada_session';
export const SIGN_IN_COOKIE = 'kada_signin';

/** A cookie of the request by name (RFC 6265 section 5.4 `name=value` pairs), or ''. */
export function cookieOf(req: FastifyRequest, name: string): string {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return '';
}

export interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  /** Strict for the session; Lax for the sign-in cookie, which must come back on the issuer's redirect. */
  sameSite: 'Strict' | 'Lax';
  secure: boolean;
}

/** Appends a Set-Cookie; always HttpOnly, so the page's script never sees a session or sign-in value. */
export function setCookie(reply: FastifyReply, name: string, value: string, o: CookieOptions): void {
  const attrs = [`${name}=${value}`, `Path=${o.path}`, `Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`];
  attrs.push('HttpOnly', `SameSite=${o.sameSite}`);
  if (o.secure) attrs.push('Secure');
  const prior = reply.getHeader('set-cookie');
  const list = prior === undefined ? [] : Array.isArray(prior) ? prior.map(String) : [String(prior)];
  reply.header('set-cookie', [...list, attrs.join('; ')]);
}
