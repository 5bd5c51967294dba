import type { FastifyRequest } from 'fastify';

/** The roles of service.md "Admin HTTP API"; `kada.operate` includes everything `kada.read` may. */
export type Role = 'kada.read' | 'kada.operate';

/**
 * Who made an admin request, decided once by the authentication hook and read by the routes
 * (role checks) and the audit trail (the actor named in each entry).
 */
export interface Caller {
  /** `token` for ADMIN_TOKEN, else the access token's preferred_username, upn or sub (service.md). */
  actor: string;
  roles: ReadonlySet<Role>;
}

export const adminTokenCaller: Caller = { actor: 'token', roles: new Set<Role>(['kada.read', 'kada.operate']) };

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** The caller of an authenticated /api request; only the authentication hook sets it. */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new Error('callerOf on a request that passed no authentication');
  return req.caller;
}
