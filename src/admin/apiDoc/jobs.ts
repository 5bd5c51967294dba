import { dateTime, error, json, nullable, nullableDateTime, props, ref, unauthorized } from './common';

/** The jobs route (routes/jobs.ts) and the Job schema. */

export const jobPaths = {
  '/api/jobs/{jobId}': {
    get: {
      tags: ['jobs'],
      summary: 'State of a job: queued, running, done or failed',
      parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]{1,18}$' } }],
      responses: { '200': json(ref('Job'), 'The job'), '404': error('Unknown job'), ...unauthorized },
    },
  },
} as const;

export const jobSchemas = {
  Job: {
    type: 'object',
    required: ['jobId', 'personId', 'state'],
    properties: props({
      jobId: 'string',
      personId: 'string',
      state: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
      progress: { type: ['object', 'null'], properties: { done: { type: 'integer' }, total: { type: 'integer' } } },
      result: {},
      lastError: nullable('string'),
      priority: 'integer',
      force: 'boolean',
      reasons: { type: 'array', items: { type: 'string' } },
      attempts: 'integer',
      maxAttempts: 'integer',
      supersededBy: nullable('string'),
      createdAt: dateTime,
      startedAt: nullableDateTime,
      finishedAt: nullableDateTime,
    }),
  },
} as const;
