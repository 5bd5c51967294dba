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
export const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
export const dateTime = { type: 'string', format: 'date-time' };
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' };

/** An object's property schemas in short: a type name (`'integer'`) stands for `{ type }`, a schema for itself. */
export const props = (properties: Record<string, string | object>) =>
  Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, typeof v === 'string' ? { type: v } : v]));
