import { error, json, props, ref, unauthorized } from './common';

/** ICS feeds (routes/ics.ts, rooms-ics.md): create and revoke a person's feed, and the feed itself. */

const person = {
  name: 'person',
  in: 'path',
  required: true,
  description: 'personlopenummer, username, e-mail (URL-encoded) or tp:<username> for TP staff without an FS record',
  schema: { type: 'string', minLength: 1, maxLength: 254 },
};

export const icsPaths = {
  '/api/persons/{person}/ics': {
    post: {
      tags: ['persons'],
      summary:
        "As `kada ics create`: the person's feed URL (kada.operate). While a feed is active the same URL is " +
        'returned; after a revoke a new one is made.',
      parameters: [person],
      responses: {
        '201': json(ref('IcsFeed'), 'The feed URL'),
        '400': error('Bad person'),
        '403': error('The caller lacks kada.operate'),
        '404': error('Unknown person'),
        '409': error('KADA_ICS_KEY changed since the feed was made: revoke it and create a new one'),
        '502': error('FS could not be read'),
        ...unauthorized,
      },
    },
    delete: {
      tags: ['persons'],
      summary: "As `kada ics revoke`: end the person's feed; its URL answers 404 from now on (kada.operate)",
      parameters: [person],
      responses: {
        '204': { description: 'No active feed any more' },
        '400': error('Bad person'),
        '403': error('The caller lacks kada.operate'),
        '404': error('Unknown person'),
        '502': error('FS could not be read'),
        ...unauthorized,
      },
    },
  },
  '/ics/{file}': {
    get: {
      tags: ['operations'],
      summary:
        "A person's ICS feed, `<token>.ics`; the token is the only credential. Unknown or revoked: 404 with no " +
        'detail. ETag and If-None-Match (304); Cache-Control: max-age=300',
      security: [],
      parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'RFC 5545 calendar', content: { 'text/calendar': { schema: { type: 'string' } } } },
        '304': { description: 'Unchanged since the ETag given in If-None-Match' },
        '404': { description: 'Unknown or revoked token' },
        '503': { description: 'The sources cannot be read and there is no earlier feed to serve' },
      },
    },
  },
} as const;

export const icsSchemas = {
  IcsFeed: {
    type: 'object',
    required: ['url'],
    properties: props({ url: { type: 'string', format: 'uri', description: '{ICS_BASE_URL}/ics/<token>.ics' } }),
  },
} as const;
