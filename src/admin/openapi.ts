/**
 * The admin API's OpenAPI 3.1 document (GET /api/openapi.json), written by hand next to the routes;
 * a test checks that every route the server registers is described here and nothing more.
 */
import { auditPaths, auditSchemas } from './apiDoc/audit';
import { forgetSchemas } from './apiDoc/forget';
import { deletePaths, deleteSchemas } from './apiDoc/deletes';
import { icsPaths, icsSchemas } from './apiDoc/ics';
import { jobPaths, jobSchemas } from './apiDoc/jobs';
import { operationPaths, operationSchemas } from './apiDoc/operations';
import { personPaths, personSchemas } from './apiDoc/persons';
import { securitySchemes, withRoles } from './apiDoc/security';
import { roomPaths, roomSchemas } from './apiDoc/rooms';

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'kada admin API',
    version: '1',
    description:
      'Operate kada: look up a person, see the changes a rebuild would make, queue a rebuild, follow jobs, see ' +
      'queue depth, inbox lag, dead letters, Graph throttling and errors. Every /api/* route except this ' +
      'document needs a caller: `Authorization: Bearer` with ADMIN_TOKEN (every right) or an access token from ' +
      "ADMIN_OIDC_ISSUER, or the admin page's session. Role kada.read may use every GET except /api/audit; " +
      "kada.operate may do everything. Each operation's security requirement names the role it needs.",
  },
  servers: [{ url: '/' }],
  security: [{ adminToken: [] }, { oidcBearer: ['kada.operate'] }, { adminSession: ['kada.operate'] }],
  tags: [{ name: 'persons' }, { name: 'rooms' }, { name: 'jobs' }, { name: 'operations' }],
  paths: withRoles({
    ...personPaths,
    ...roomPaths,
    ...jobPaths,
    ...operationPaths,
    ...deletePaths,
    ...auditPaths,
    ...icsPaths,
  }),
  components: {
    securitySchemes,
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'string' }, message: { type: 'string' } },
      },
      ...personSchemas,
      ...jobSchemas,
      ...operationSchemas,
      ...forgetSchemas,
      ...deleteSchemas,
      ...auditSchemas,
      ...icsSchemas,
      ...roomSchemas,
    },
  },
} as const;
