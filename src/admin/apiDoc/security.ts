import { fastifyRouteOf, requiredRole } from '../routeRoles';
import { error } from './common';

/**
 * How callers prove who they are (service.md "Admin HTTP API"). OpenAPI 3.1 lets a requirement of a
 * non-OAuth scheme list role names, so each operation names the role it needs (admin/routeRoles.ts).
 */
export const securitySchemes = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'ADMIN_TOKEN: for machines; every right',
  },
  oidcBearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An access token from ADMIN_OIDC_ISSUER (RS256, PS256 or ES256; `aud` one of ADMIN_OIDC_AUDIENCE); ' +
      'roles kada.read or kada.operate from ADMIN_OIDC_ROLES_CLAIM',
  },
  adminSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'kada_session',
    description:
      "The admin page's session after signing in at /auth/login; requests other than GET also send the " +
      'x-kada-csrf header the page got from GET /auth/session',
  },
  metricsBearer: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' },
} as const;

const authAnswers = {
  '401': error('No valid token or session (missing, wrong, expired, or not from the issuer)'),
  '403': error('Valid caller without the role this needs, or a page request without its CSRF header'),
  '503': error('Admin API disabled (neither ADMIN_TOKEN nor ADMIN_OIDC_ISSUER set), or the issuer unreachable'),
};

type Operation = { security?: unknown; responses?: Record<string, unknown> };

/** Every /api operation (except the open OpenAPI document) with its security requirement and 401/403/503. */
export function withRoles<P extends Record<string, Record<string, Operation>>>(paths: P): P {
  const out: Record<string, Record<string, Operation>> = {};
  for (const [path, methods] of Object.entries(paths)) {
    out[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      if (!path.startsWith('/api/') || op.security !== undefined) {
        out[path][method] = op;
        continue;
      }
      const role = requiredRole(method, fastifyRouteOf(path));
      out[path][method] = {
        ...op,
        security: [{ adminToken: [] }, { oidcBearer: [role] }, { adminSession: [role] }],
        responses: { ...op.responses, ...authAnswers },
      };
    }
  }
  return out as P;
}
