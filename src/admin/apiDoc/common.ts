/** Building blocks shared by the path groups of the admin API's OpenAPI document (admin/openapi.ts). */
export const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const error = (description: string) => json(ref('Error'), description);
export const unauthorized = {
  '401': error('Missing or wrong bearer token'),
  '503': error('Admin API disabled (no ADMIN_TOKEN configured)'),
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
