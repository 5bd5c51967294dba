import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/context';
import { type AuditAction, type AuditOutcome, auditPseudonym, writeAudit } from '../store/audit';
import { resolvePerson } from '../sync/resolvePerson';

/**
 * The admin API's part of the audit trail (service.md): one entry per audited request, written in an
 * onSend hook, so it covers every way a request can end (the handler's answer, a 400/404/5xx from the
 * error handler, a 403 from the role check, a 429 from the rate limit) and is stored before the
 * caller hears the answer. Requests without a caller (401, 503) are not entries: nobody is known.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** Whom the request concerned, set by the handler once it knows (one entry each); null: no one person. */
    auditPersons?: (string | null)[];
  }
}

const PERSON_ROUTE = '/api/persons/:person';

/** The actions of service.md by method and fastify route; ICS routes are rooms-ics.md's. */
const ACTIONS: Record<string, AuditAction> = {
  [`GET ${PERSON_ROUTE}`]: 'read',
  [`GET ${PERSON_ROUTE}/diff`]: 'diff',
  [`POST ${PERSON_ROUTE}/rebuild`]: 'rebuild',
  [`PUT ${PERSON_ROUTE}/opt-out`]: 'opt-out',
  [`DELETE ${PERSON_ROUTE}/opt-out`]: 'opt-in',
  [`DELETE ${PERSON_ROUTE}`]: 'forget',
  [`POST ${PERSON_ROUTE}/ics`]: 'ics-create',
  [`DELETE ${PERSON_ROUTE}/ics`]: 'ics-revoke',
  'POST /api/deletes/release': 'release-deletes',
  'POST /api/deletes/drop': 'drop-deletes',
};

/**
 * The audit action of a request, or null if it is not audited. Every GET of one person's data
 * (`/api/persons/{person}` and everything below it) is at least a `read`, also routes added later.
 */
export function auditedAction(requestMethod: string, route: string | undefined): AuditAction | null {
  if (!route) return null;
  // Fastify answers HEAD with the GET handler (exposeHeadRoutes): the same read, without the body.
  const method = requestMethod === 'HEAD' ? 'GET' : requestMethod;
  const action = ACTIONS[`${method} ${route}`];
  if (action) return action;
  const ofOnePerson = route === PERSON_ROUTE || route.startsWith(`${PERSON_ROUTE}/`);
  return method === 'GET' && ofOnePerson ? 'read' : null;
}

/** 2xx/3xx: done; 403 (role) and 429 (rate limit): refused before anything was done; else failed. */
export function auditOutcome(status: number): AuditOutcome {
  if (status < 400) return 'ok';
  if (status === 403 || status === 429) return 'denied';
  return 'error';
}

export function registerAuditHook(app: FastifyInstance, ctx: AppContext): void {
  const log = ctx.logger.child({ component: 'audit' });
  app.addHook('onSend', async (req, reply, payload) => {
    const action = auditedAction(req.method, req.routeOptions.url);
    if (!action || !req.caller) return payload;
    const outcome = auditOutcome(reply.statusCode);
    let persons = req.auditPersons ?? [await personOfRequest(ctx, req)];
    // A forgotten person's entries name them only by the keyed hash; so does the forget's own entry.
    if (action === 'forget' && outcome === 'ok')
      persons = persons.map((p) => (p ? auditPseudonym(ctx.config.logKey, p) : p));
    try {
      await writeAudit(
        ctx.db,
        persons.map((person) => ({ actor: req.caller!.actor, action, person, outcome, requestId: req.id })),
      );
    } catch (err) {
      // The action is done and cannot be undone here; the error log (with the request id) is the record.
      log.error({ error: (err as Error).message, action, outcome, requestId: req.id }, 'audit entry not written');
    }
    return payload;
  });
}

/**
 * Whom a request the handler did not finish (refused, failed, unknown person) concerned: the person it
 * named, resolved as the routes do where possible, else as typed (bounded by writeAudit).
 */
async function personOfRequest(ctx: AppContext, req: FastifyRequest): Promise<string | null> {
  const raw = (req.params as { person?: unknown } | undefined)?.person;
  if (typeof raw !== 'string') return null;
  try {
    return (await resolvePerson(ctx, raw)) ?? raw.trim();
  } catch {
    return raw.trim();
  }
}
