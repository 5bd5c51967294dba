/**
 * The admin API's OpenAPI 3.1 document (GET /api/openapi.json), written by hand next to the routes;
 * a test checks that every route the server registers is described here and nothing more.
 */
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => json(ref('Error'), description);
const unauthorized = {
  '401': error('Missing or wrong bearer token'),
  '503': error('Admin API disabled (no ADMIN_TOKEN configured)'),
};
const personParam = {
  name: 'person',
  in: 'path',
  required: true,
  description: 'personlopenummer, username or e-mail (URL-encoded)',
  schema: { type: 'string', minLength: 1, maxLength: 254 },
};
const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
const dateTime = { type: 'string', format: 'date-time' };
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' };

const jobAccepted = json(
  {
    type: 'object',
    required: ['jobId', 'personId'],
    properties: { jobId: { type: 'string' }, personId: { type: 'string' }, optedOut: { type: 'boolean' } },
  },
  'Job queued; poll GET /api/jobs/{jobId}',
);

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'kada admin API',
    version: '1',
    description:
      'Operate kada: look up a person, see the changes a rebuild would make, queue a rebuild, follow jobs, see queue depth, inbox lag, dead letters, Graph throttling and errors. Every /api/* route except this document needs `Authorization: Bearer <ADMIN_TOKEN>`.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  tags: [{ name: 'persons' }, { name: 'jobs' }, { name: 'operations' }],
  paths: {
    '/api/persons': {
      get: {
        tags: ['persons'],
        summary: 'Search known persons by personlopenummer, username, e-mail, mailbox or name',
        parameters: [
          { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 254 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50, default: 20 } },
        ],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['persons'],
              properties: { persons: { type: 'array', items: ref('PersonSummary') } },
            },
            'Matches',
          ),
          '400': error('Bad query'),
          ...unauthorized,
        },
      },
    },
    '/api/persons/{person}': {
      get: {
        tags: ['persons'],
        summary: "A person's mailbox, courses, groups, event count, last sync, last error and recent jobs",
        parameters: [personParam],
        responses: {
          '200': json(ref('Person'), 'The person'),
          '400': error('Bad person'),
          '404': error('Unknown person'),
          ...unauthorized,
        },
      },
    },
    '/api/persons/{person}/diff': {
      get: {
        tags: ['persons'],
        summary: 'Dry run: the creates, updates and deletes a sync would make now',
        parameters: [
          personParam,
          {
            name: 'against',
            in: 'query',
            description:
              '`store`: compare with what kada recorded; `graph`: read the calendar back (what a rebuild does)',
            schema: { type: 'string', enum: ['store', 'graph'], default: 'store' },
          },
        ],
        responses: {
          '200': json(ref('Diff'), 'The planned changes'),
          '400': error('Bad person'),
          '404': error('Unknown person'),
          '502': error('FS, TP or Graph could not be read'),
          ...unauthorized,
        },
      },
    },
    '/api/persons/{person}/rebuild': {
      post: {
        tags: ['persons'],
        summary: 'Queue a forced rebuild (re-read the sources and the calendar, repair everything)',
        parameters: [personParam],
        responses: { '202': jobAccepted, '400': error('Bad person'), '404': error('Unknown person'), ...unauthorized },
      },
    },
    '/api/persons/{person}/opt-out': {
      put: {
        tags: ['persons'],
        summary: 'Opt the person out: their kada events are removed and none are written (queues a rebuild)',
        parameters: [personParam],
        responses: { '202': jobAccepted, '404': error('Unknown person'), ...unauthorized },
      },
      delete: {
        tags: ['persons'],
        summary: 'Withdraw the opt-out (queues a rebuild)',
        parameters: [personParam],
        responses: { '202': jobAccepted, '404': error('Unknown person'), ...unauthorized },
      },
    },
    '/api/jobs/{jobId}': {
      get: {
        tags: ['jobs'],
        summary: 'State of a job: queued, running, done or failed',
        parameters: [
          { name: 'jobId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{1,18}$' } },
        ],
        responses: { '200': json(ref('Job'), 'The job'), '404': error('Unknown job'), ...unauthorized },
      },
    },
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
  },
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
      PersonSummary: {
        type: 'object',
        properties: {
          personId: { type: 'string' },
          name: nullable('string'),
          username: nullable('string'),
          mailbox: nullable('string'),
          status: { type: 'string' },
          eventCount: { type: 'integer' },
        },
      },
      Course: {
        type: 'object',
        properties: {
          course: { type: 'string', description: '<semester>:<courseid>,<version>' },
          courseId: { type: 'string' },
          version: { type: 'string' },
          semester: { type: 'string' },
          roles: { type: 'array', items: { type: 'string' }, description: '`student` or an FS role such as FORELESER' },
          groups: { type: 'array', items: { type: 'string' } },
        },
      },
      Person: {
        type: 'object',
        required: ['personId', 'status', 'optedOut', 'eventCount', 'courses', 'groups', 'recentJobs'],
        properties: {
          personId: { type: 'string' },
          name: nullable('string'),
          username: nullable('string'),
          email: nullable('string'),
          mailbox: nullable('string'),
          status: { type: 'string', enum: ['active', 'no_mailbox', 'gone', 'unknown'] },
          optedOut: { type: 'boolean' },
          eventCount: { type: 'integer' },
          lastSync: nullableDateTime,
          lastError: nullable('string'),
          lastErrorAt: nullableDateTime,
          courses: { type: 'array', items: ref('Course') },
          groups: {
            type: 'array',
            items: { type: 'object', properties: { course: { type: 'string' }, activity: { type: 'string' } } },
          },
          syncedCourses: { type: 'array', items: { type: 'string' } },
          recentJobs: { type: 'array', items: ref('Job') },
          recentErrors: { type: 'array', items: ref('ErrorRecord') },
          fsUnavailable: { type: 'string' },
        },
      },
      Change: {
        type: 'object',
        required: ['kind', 'key', 'mailbox'],
        properties: {
          kind: { type: 'string', enum: ['create', 'update', 'delete'] },
          key: { type: 'string' },
          mailbox: { type: 'string' },
          subject: { type: 'string' },
          start: { type: 'string' },
          end: { type: 'string' },
        },
      },
      Diff: {
        type: 'object',
        required: ['personId', 'outcome', 'counts', 'changes'],
        properties: {
          personId: { type: 'string' },
          against: { type: 'string', enum: ['store', 'graph'] },
          outcome: { type: 'string', enum: ['synced', 'gone', 'no_mailbox', 'opted_out'] },
          mailbox: nullable('string'),
          eventCount: { type: 'integer' },
          counts: {
            type: 'object',
            properties: { creates: { type: 'integer' }, updates: { type: 'integer' }, deletes: { type: 'integer' } },
          },
          changes: { type: 'array', items: ref('Change') },
          truncated: { type: 'boolean' },
          courses: { type: 'array', items: { type: 'string' } },
          dataErrors: { type: 'array', items: { type: 'object' } },
        },
      },
      Job: {
        type: 'object',
        required: ['jobId', 'personId', 'state'],
        properties: {
          jobId: { type: 'string' },
          personId: { type: 'string' },
          state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
          progress: { type: ['object', 'null'], properties: { done: { type: 'integer' }, total: { type: 'integer' } } },
          result: {},
          lastError: nullable('string'),
          priority: { type: 'integer' },
          force: { type: 'boolean' },
          reasons: { type: 'array', items: { type: 'string' } },
          attempts: { type: 'integer' },
          maxAttempts: { type: 'integer' },
          supersededBy: nullable('string'),
          createdAt: dateTime,
          startedAt: nullableDateTime,
          finishedAt: nullableDateTime,
        },
      },
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
        },
      },
      ErrorRecord: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          kind: { type: 'string' },
          code: { type: 'string' },
          message: { type: 'string' },
          personId: nullable('string'),
          course: nullable('string'),
          notificationId: nullable('string'),
          jobId: nullable('string'),
          details: {},
          createdAt: dateTime,
        },
      },
      FailedNotification: {
        type: 'object',
        properties: {
          notificationId: { type: 'string' },
          format: { type: 'string' },
          routingKey: { type: 'string' },
          attempts: { type: 'integer' },
          error: nullable('string'),
          receivedAt: dateTime,
          failedAt: nullableDateTime,
        },
      },
      Readiness: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: ['ready', 'not_ready'] },
          database: { type: 'boolean' },
          broker: { type: 'boolean' },
        },
      },
    },
  },
} as const;
