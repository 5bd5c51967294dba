/**
 * The admin API's OpenAPI 3.1 document (GET /api/openapi.json), written by hand next to the routes;
 * a test checks that every route the server registers is described here and nothing more.
 */
import { forgetSchemas } from './apiDoc/forget';
import { deletePaths, deleteSchemas } from './apiDoc/deletes';
import { jobPaths, jobSchemas } from './apiDoc/jobs';
import { operationPaths, operationSchemas } from './apiDoc/operations';
import { personPaths, personSchemas } from './apiDoc/persons';
import { roomPaths, roomSchemas } from './apiDoc/rooms';

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'kada admin API',
    version: '1',
    description:
      'Operate kada: look up a person, see the changes a rebuild would make, queue a rebuild, follow jobs, see ' +
      'queue depth, inbox lag, dead letters, Graph throttling and errors. Every /api/* route except this ' +
      'document needs `Authorization: Bearer <ADMIN_TOKEN>`.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  tags: [{ name: 'persons' }, { name: 'rooms' }, { name: 'jobs' }, { name: 'operations' }],
  paths: { ...personPaths, ...roomPaths, ...jobPaths, ...operationPaths, ...deletePaths },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
      metricsBearer: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN' },
    },
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
      ...roomSchemas,
    },
  },
} as const;
