import {
  badBody,
  error,
  json,
  nullable,
  nullableDateTime,
  personAnswers,
  props,
  rateLimited,
  ref,
  unauthorized,
  upstream,
} from './common';
import { forgetOperation } from './forget';

/** The persons routes (routes/persons.ts) and the schemas only they answer with. */

const personParam = {
  name: 'person',
  in: 'path',
  required: true,
  description: 'personlopenummer, username or e-mail (URL-encoded)',
  schema: { type: 'string', minLength: 1, maxLength: 254 },
};

const jobAccepted = json(
  {
    type: 'object',
    required: ['jobId', 'personId'],
    properties: { jobId: { type: 'string' }, personId: { type: 'string' }, optedOut: { type: 'boolean' } },
  },
  'Job queued; poll GET /api/jobs/{jobId}',
);

export const personPaths = {
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
        ...personAnswers,
        ...upstream,
        ...unauthorized,
      },
    },
    delete: forgetOperation,
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
        ...personAnswers,
        ...upstream,
        ...rateLimited,
        ...unauthorized,
      },
    },
  },
  '/api/persons/{person}/rebuild': {
    post: {
      tags: ['persons'],
      summary: 'Queue a forced rebuild (re-read the sources and the calendar, repair everything)',
      parameters: [personParam],
      responses: { '202': jobAccepted, ...badBody, ...personAnswers, ...upstream, ...rateLimited, ...unauthorized },
    },
  },
  '/api/persons/{person}/opt-out': {
    put: {
      tags: ['persons'],
      summary: 'Opt the person out: their kada events are removed and none are written (queues a rebuild)',
      parameters: [personParam],
      responses: { '202': jobAccepted, ...badBody, ...personAnswers, ...upstream, ...unauthorized },
    },
    delete: {
      tags: ['persons'],
      summary: 'Withdraw the opt-out (queues a rebuild)',
      parameters: [personParam],
      responses: { '202': jobAccepted, ...badBody, ...personAnswers, ...upstream, ...unauthorized },
    },
  },
} as const;

export const personSchemas = {
  PersonSummary: {
    type: 'object',
    properties: props({
      personId: 'string',
      name: nullable('string'),
      username: nullable('string'),
      mailbox: nullable('string'),
      status: 'string',
      eventCount: 'integer',
    }),
  },
  Course: {
    type: 'object',
    properties: props({
      course: { type: 'string', description: '<semester>:<courseid>,<version>' },
      courseId: 'string',
      version: 'string',
      semester: 'string',
      roles: { type: 'array', items: { type: 'string' }, description: '`student` or an FS role such as FORELESER' },
      groups: { type: 'array', items: { type: 'string' } },
    }),
  },
  Person: {
    type: 'object',
    required: ['personId', 'status', 'optedOut', 'eventCount', 'courses', 'groups', 'recentJobs'],
    properties: props({
      personId: 'string',
      name: nullable('string'),
      username: nullable('string'),
      email: nullable('string'),
      mailbox: nullable('string'),
      status: { type: 'string', enum: ['active', 'no_mailbox', 'gone', 'unknown'] },
      optedOut: 'boolean',
      eventCount: 'integer',
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
      fsUnavailable: 'string',
    }),
  },
  Change: {
    type: 'object',
    required: ['kind', 'key', 'mailbox'],
    properties: props({
      kind: { type: 'string', enum: ['create', 'update', 'delete'] },
      key: 'string',
      mailbox: 'string',
      subject: 'string',
      start: 'string',
      end: 'string',
    }),
  },
  Diff: {
    type: 'object',
    required: ['personId', 'outcome', 'counts', 'changes'],
    properties: props({
      personId: 'string',
      against: { type: 'string', enum: ['store', 'graph'] },
      outcome: { type: 'string', enum: ['synced', 'gone', 'gone_pending', 'no_mailbox', 'opted_out'] },
      mailbox: nullable('string'),
      eventCount: 'integer',
      counts: {
        type: 'object',
        properties: { creates: { type: 'integer' }, updates: { type: 'integer' }, deletes: { type: 'integer' } },
      },
      changes: { type: 'array', items: ref('Change') },
      truncated: 'boolean',
      courses: { type: 'array', items: { type: 'string' } },
      dataErrors: { type: 'array', items: { type: 'object' } },
    }),
  },
} as const;
