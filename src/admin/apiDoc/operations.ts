import { dateTime, error, json, nullable, nullableDateTime, props, ref, unauthorized, upstream } from './common';

/** Status, errors, health, readiness, metrics and this document (routes/status.ts, routes/health.ts). */

export const operationPaths = {
  '/api/status': {
    get: {
      tags: ['operations'],
      summary: 'Queue depths, inbox lag, dead letters, Graph throttling, error counts',
      responses: { '200': json(ref('Status'), 'Status'), ...unauthorized },
    },
  },
  '/api/errors': {
    get: {
      tags: ['operations'],
      summary: 'Recent data errors and dead-lettered notifications',
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        {
          name: 'person',
          in: 'query',
          description: 'only this person (personlopenummer, username or e-mail)',
          schema: { type: 'string', maxLength: 254 },
        },
        {
          name: 'kind',
          in: 'query',
          schema: { type: 'string', enum: ['data', 'source', 'graph', 'person', 'dead_letter', 'ignored', 'job'] },
        },
      ],
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['errors', 'failedNotifications'],
            properties: {
              errors: { type: 'array', items: ref('ErrorRecord') },
              failedNotifications: { type: 'array', items: ref('FailedNotification') },
            },
          },
          'Most recent first',
        ),
        '400': error('Bad query'),
        '404': error('Unknown person'),
        ...upstream,
        ...unauthorized,
      },
    },
  },
  '/api/openapi.json': {
    get: {
      tags: ['operations'],
      summary: 'This document',
      security: [],
      responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1') },
    },
  },
  '/healthz': {
    get: {
      tags: ['operations'],
      summary: 'Liveness',
      security: [],
      responses: { '200': json({ type: 'object', properties: { status: { const: 'ok' } } }, 'Alive') },
    },
  },
  '/readyz': {
    get: {
      tags: ['operations'],
      summary: 'Readiness: database and broker reachable',
      security: [],
      responses: { '200': json(ref('Readiness'), 'Ready'), '503': json(ref('Readiness'), 'Not ready') },
    },
  },
  '/readyz/serve': {
    get: {
      tags: ['operations'],
      summary:
        'Readiness to serve and work (the Kubernetes readinessProbe): database reachable; the broker is reported, ' +
        'not required',
      security: [],
      responses: { '200': json(ref('Readiness'), 'Ready'), '503': json(ref('Readiness'), 'Database unreachable') },
    },
  },
  '/metrics': {
    get: {
      tags: ['operations'],
      summary: 'Prometheus metrics (bearer METRICS_TOKEN when one is configured)',
      security: [{}, { metricsBearer: [] }],
      responses: {
        '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': error('METRICS_TOKEN set and not presented'),
      },
    },
  },
} as const;

export const operationSchemas = {
  Status: {
    type: 'object',
    properties: {
      generatedAt: dateTime,
      queue: {
        type: 'object',
        properties: {
          queued: { type: 'integer' },
          running: { type: 'integer' },
          done: { type: 'integer' },
          failed: { type: 'integer' },
          oldestQueuedSeconds: nullable('integer'),
          byPriority: {
            type: 'object',
            description: 'queued jobs per class of the order of work, most urgent first (service.md)',
            properties: {
              rebuild: { type: 'integer' },
              nearChange: { type: 'integer', description: 'changes touching the next 14 days' },
              change: { type: 'integer' },
              fill: { type: 'integer', description: 'first syncs and reconcile' },
              fillRest: { type: 'integer', description: 'the weeks after the next 14 days of a fill' },
            },
          },
        },
      },
      inbox: {
        type: 'object',
        properties: { pending: { type: 'integer' }, lagSeconds: { type: 'integer' }, failed: { type: 'integer' } },
      },
      deadLetters: { type: 'object', properties: { total: { type: 'integer' }, last24h: { type: 'integer' } } },
      graph: {
        type: ['object', 'null'],
        description:
          'Graph throttling summed over every running kada process (each reports every 15 s); null when none runs',
        properties: {
          scope: { type: 'string', enum: ['all processes'] },
          processes: { type: 'integer' },
          throttled: { type: 'integer' },
          retryWaitSeconds: { type: 'number' },
          pending: { type: 'integer' },
          writer: { type: 'object', description: "the answering process's own GraphWriter figures" },
          perProcess: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                processId: { type: 'string' },
                hostname: { type: 'string' },
                reportedAt: { type: 'string', format: 'date-time' },
                throttled: { type: 'integer' },
                retryWaitSeconds: { type: 'number' },
                pending: { type: 'integer' },
              },
            },
          },
        },
      },
      errors: {
        type: 'object',
        properties: {
          last24h: { type: 'object', additionalProperties: { type: 'integer' } },
          total: { type: 'integer' },
        },
      },
      persons: { type: 'object' },
      safety: { $ref: '#/components/schemas/Safety' },
    },
  },
  ErrorRecord: {
    type: 'object',
    properties: props({
      id: 'string',
      kind: 'string',
      code: 'string',
      message: 'string',
      personId: nullable('string'),
      course: nullable('string'),
      notificationId: nullable('string'),
      jobId: nullable('string'),
      details: {},
      createdAt: dateTime,
    }),
  },
  FailedNotification: {
    type: 'object',
    properties: props({
      notificationId: 'string',
      format: 'string',
      routingKey: 'string',
      attempts: 'integer',
      error: nullable('string'),
      receivedAt: dateTime,
      failedAt: nullableDateTime,
    }),
  },
  Readiness: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ready', 'not_ready'] },
      database: { type: 'boolean' },
      broker: { type: 'boolean' },
    },
  },
} as const;
