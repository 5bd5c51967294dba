/** Building blocks shared by the path groups of the admin API's OpenAPI document (admin/openapi.ts). */
export const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const error = (description: string) => json(ref('Error'), description);
/** The authentication answers; apiDoc/security.ts states them (with 403) on every /api operation. */
export const unauthorized = {
  '401': error('No valid token or session'),
  '503': error('Admin API disabled (neither ADMIN_TOKEN nor ADMIN_OIDC_ISSUER set)'),
};
/** The per-caller rate limit on diff, rebuild and forget (ADMIN_RATE_LIMITS, admin/rateLimits.ts). */
export const rateLimited = {
  '429': {
    ...error('Too many requests of this kind by this caller in the last minute; nothing was done'),
    headers: {
      'Retry-After': { description: 'seconds until the caller may try again', schema: { type: 'integer', minimum: 0 } },
    },
  },
};
export const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
export const dateTime = { type: 'string', format: 'date-time' };
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' };

/** An object's property schemas in short: a type name (`'integer'`) stands for `{ type }`, a schema for itself. */
export const props = (properties: Record<string, string | object>) =>
  Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, typeof v === 'string' ? { type: v } : v]));

/** What every route with `{person}` in its path can answer besides its own: a bad, too long or unknown person. */
export const personAnswers = {
  '400': error('Bad person'),
  '404': error('Unknown person'),
  '414': error('The person in the path is longer than the router accepts (1,024 characters)'),
};
/** A source needed for the answer did not answer (routes' errors end in server.ts's error handler). */
export const upstream = { '502': error('FS, TP or Graph could not be read; try again shortly') };
/** fastify's own answers to a body it cannot read on a write: bad or empty JSON, or over 16 KiB. */
export const badBody = {
  '400': error('The request body could not be read (bad or empty JSON)'),
  '413': error('The request body is larger than 16 KiB'),
  '415': error('The request body has a content type the API does not read'),
};
