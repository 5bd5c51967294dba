import { AUDIT_ACTIONS } from '../../store/audit';
import { dateTime, error, json, nullable, props, ref, unauthorized } from './common';

/** GET /api/audit (routes/audit.ts): the audit trail of service.md. */

export const auditPaths = {
  '/api/audit': {
    get: {
      tags: ['operations'],
      summary:
        "Audit entries, newest first: every action and every read of one person's data, who did it and how it went " +
        '(`kada.operate`)',
      parameters: [
        {
          name: 'person',
          in: 'query',
          description:
            'personlopenummer, username or e-mail (resolved to the personlopenummer; entries after `kada forget` ' +
            'are found too), or the keyed hash `p:...` that `kada pseudonym <number>` prints',
          schema: { type: 'string', minLength: 1, maxLength: 254 },
        },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
      ],
      responses: {
        '200': json(
          { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('AuditEntry') } } },
          'Entries, newest first',
        ),
        '400': error('Bad query'),
        '403': error('The caller lacks the kada.operate role'),
        '404': error('Unknown person'),
        ...unauthorized,
      },
    },
  },
};

export const auditSchemas = {
  AuditEntry: {
    type: 'object',
    required: ['at', 'actor', 'action', 'person', 'outcome'],
    properties: props({
      at: dateTime,
      actor: {
        type: 'string',
        description: "`token` (ADMIN_TOKEN), the access token's preferred_username/upn/sub, or `cli:<os user>`",
      },
      action: {
        type: 'string',
        enum: [...AUDIT_ACTIONS],
      },
      person: nullable('string', {
        description:
          'personlopenummer (or `tp:<username>`); `p:<keyed hash>` once forgotten; what was typed if it matched ' +
          'no one; null for an action on no one person',
      }),
      outcome: {
        type: 'string',
        enum: ['ok', 'denied', 'error'],
        description: 'denied: refused before anything was done (role, rate limit)',
      },
    }),
  },
};
