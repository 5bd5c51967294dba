import type { FastifyInstance } from 'fastify';
import { isPseudonym } from '../../log/pseudonym';
import { auditPseudonym, listAudit } from '../../store/audit';
import { resolvePerson } from '../../sync/resolvePerson';
import { callerOf } from '../caller';
import { AdminHttpError, notFound, parseInput } from '../httpErrors';
import { auditQuery } from '../inputs';
import type { AdminDeps } from './deps';

/** GET /api/audit?person=&limit= (service.md, `kada.operate`): the audit trail, newest first. */
export function auditRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;
  app.get('/api/audit', async (req) => {
    if (!callerOf(req).roles.has('kada.operate'))
      throw new AdminHttpError(403, 'forbidden', 'reading the audit trail needs the kada.operate role');
    const { person, limit } = parseInput(auditQuery, req.query, 'query');
    const persons = person === undefined ? undefined : await auditSubjects(person);
    return { items: await listAudit(ctx.db, { persons, limit }) };
  });

  /**
   * What entries about one person name: their number and, once forgotten, its keyed hash. A number
   * or `tp:<username>` kada and FS no longer know still finds the entries made while they were known.
   */
  async function auditSubjects(query: string): Promise<string[]> {
    const q = query.trim();
    if (isPseudonym(q.toLowerCase())) return [q.toLowerCase()];
    const id = (await resolvePerson(ctx, q)) ?? (/^(\d{1,12}|tp:\S+)$/.test(q) ? q : null);
    if (!id) throw notFound(`unknown person "${q}": no personlopenummer, username or e-mail matches`);
    return [id, auditPseudonym(ctx.config.logKey, id)];
  }
}
