import type { Caller, Role } from '../caller';

const ROLES: readonly Role[] = ['kada.read', 'kada.operate'];

/**
 * The caller a verified token names (service.md "Admin HTTP API"). Pure. The actor is the token's
 * `preferred_username`, `upn` or `sub`, in that order; roles come from `rolesClaim`, an array or a
 * space-separated string, and only kada's two roles count. `kada.operate` includes `kada.read`.
 */
export function callerFromClaims(claims: Record<string, unknown>, rolesClaim: string): Caller | null {
  const actor = [claims.preferred_username, claims.upn, claims.sub].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  if (!actor) return null;
  const raw = claims[rolesClaim];
  const values = Array.isArray(raw)
    ? raw.filter((v): v is string => typeof v === 'string')
    : typeof raw === 'string'
      ? raw.split(' ')
      : [];
  const roles = new Set<Role>(ROLES.filter((r) => values.includes(r)));
  if (roles.has('kada.operate')) roles.add('kada.read');
  return { actor, roles };
}
