import { badBody, dateTime, json, nullableDateTime, props, ref, unauthorized } from './common';

/** Deletions held by KADA_DELETE_GUARD and pending wipe-out confirmations (routes/deletes.ts, /api/status). */

const verdict = {
  description:
    "release: the persons' next jobs (queued now) execute them, unless the sources no longer ask for them; " +
    'drop: they are forgotten and the persons are checked against the sources again',
  responses: { '200': json(ref('DeletesVerdict'), 'What was decided'), ...badBody, ...unauthorized },
};

export const deletePaths = {
  '/api/deletes': {
    get: {
      tags: ['operations'],
      summary: 'Deletions held by KADA_DELETE_GUARD',
      responses: { '200': json(ref('HeldDeletes'), 'Held deletions, oldest first'), ...unauthorized },
    },
  },
  '/api/deletes/release': {
    post: { tags: ['operations'], summary: 'Release every held deletion', ...verdict },
  },
  '/api/deletes/drop': {
    post: { tags: ['operations'], summary: 'Drop every held deletion', ...verdict },
  },
};

export const deleteSchemas = {
  HeldDeletes: {
    type: 'object',
    required: ['held', 'released', 'persons', 'executedThisHour', 'items'],
    properties: props({
      held: { type: 'integer', description: 'waiting for an operator' },
      released: { type: 'integer', description: "released, waiting for their persons' jobs" },
      persons: 'integer',
      executedThisHour: { type: 'integer', description: 'source-removal deletions executed this hour' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: props({
            personId: 'string',
            graphEventId: 'string',
            mailbox: 'string',
            key: 'string',
            heldAt: dateTime,
            releasedAt: nullableDateTime,
          }),
        },
      },
    }),
  },
  DeletesVerdict: {
    type: 'object',
    required: ['action', 'deletes', 'persons', 'jobsQueued'],
    properties: props({
      action: { type: 'string', enum: ['release', 'drop'] },
      deletes: 'integer',
      persons: 'integer',
      jobsQueued: 'integer',
    }),
  },
  Safety: {
    type: 'object',
    description:
      'Held deletions and wipe-outs (a person gone from FS, a course emptied in TP) awaiting a second sighting',
    properties: {
      deletes: {
        type: 'object',
        properties: props({ held: 'integer', released: 'integer', persons: 'integer', executedThisHour: 'integer' }),
      },
      pendingConfirmations: {
        type: 'array',
        items: {
          type: 'object',
          properties: props({
            kind: { type: 'string', enum: ['person', 'course'] },
            subject: { type: 'string', description: 'personlopenummer or course key' },
            firstSeenAt: dateTime,
            lastSeenAt: dateTime,
          }),
        },
      },
    },
  },
};
