import { badBody, error, json, personAnswers, props, rateLimited, ref, unauthorized } from './common';

/** DELETE /api/persons/{person} (routes/forget.ts): `kada forget` over HTTP, and its receipt. */

export const forgetOperation = {
  tags: ['persons'],
  summary:
    "As `kada forget`: remove kada's events from the person's calendar, then erase every row that names them. " +
    'A person still registered in FS is synced again by their next notification unless opted out first.',
  parameters: [
    {
      name: 'person',
      in: 'path',
      required: true,
      description: 'personlopenummer, username or e-mail (URL-encoded)',
      schema: { type: 'string', minLength: 1, maxLength: 254 },
    },
  ],
  responses: {
    '200': json(ref('ForgetReceipt'), 'Forgotten: what was removed'),
    ...badBody,
    ...personAnswers,
    '409': error('A sync of the person is running and did not finish in time; try again'),
    '502': error('The calendar could not be cleared (Graph) or FS could not be read; nothing was erased'),
    ...rateLimited,
    ...unauthorized,
  },
} as const;

const count = { type: 'integer', minimum: 0 };

export const forgetSchemas = {
  ForgetReceipt: {
    type: 'object',
    required: ['personId', 'erasedAt', 'calendar', 'rows', 'total', 'optOutKept'],
    properties: props({
      personId: 'string',
      erasedAt: { type: 'string', format: 'date-time' },
      calendar: {
        type: 'object',
        description: 'kada events deleted (or found already gone) and mailboxes looked at',
        properties: props({ eventsDeleted: count, mailboxes: count }),
      },
      rows: {
        type: 'object',
        description: 'rows erased per table (reconcile_runs: cursors moved off the person)',
        additionalProperties: count,
      },
      total: count,
      optOutKept: {
        type: 'boolean',
        description: 'the person was opted out: their number alone stays so the opt-out still holds',
      },
    }),
  },
} as const;
