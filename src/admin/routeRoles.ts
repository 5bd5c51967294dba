import type { Role } from './caller';

/**
 * The role each /api route needs (service.md "Admin HTTP API"), keyed `METHOD <fastify route url>`.
 * `kada.read` may use every GET except the audit; everything else needs `kada.operate`. A route
 * missing here needs `kada.operate`: a new route is closed to readers until it is listed.
 */
export const ROUTE_ROLES: Readonly<Record<string, Role>> = {
  'GET /api/persons': 'kada.read',
  'GET /api/persons/:person': 'kada.read',
  'GET /api/persons/:person/diff': 'kada.read',
  'POST /api/persons/:person/rebuild': 'kada.operate',
  'PUT /api/persons/:person/opt-out': 'kada.operate',
  'DELETE /api/persons/:person/opt-out': 'kada.operate',
  'DELETE /api/persons/:person': 'kada.operate',
  'POST /api/persons/:person/ics': 'kada.operate',
  'DELETE /api/persons/:person/ics': 'kada.operate',
  'GET /api/rooms': 'kada.read',
  'GET /api/rooms/:tp_room_id': 'kada.read',
  'GET /api/jobs/:jobId': 'kada.read',
  'GET /api/status': 'kada.read',
  'GET /api/errors': 'kada.read',
  'GET /api/deletes': 'kada.read',
  'POST /api/deletes/release': 'kada.operate',
  'POST /api/deletes/drop': 'kada.operate',
  'GET /api/audit': 'kada.operate',
};

/** The role a request to a matched route needs; HEAD is answered by the GET route and needs the same. */
export function requiredRole(method: string, routeUrl: string): Role {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  return ROUTE_ROLES[`${m} ${routeUrl}`] ?? 'kada.operate';
}

/** `/api/persons/{person}` (OpenAPI) as fastify writes it: `/api/persons/:person`. */
export const fastifyRouteOf = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ':$1');
