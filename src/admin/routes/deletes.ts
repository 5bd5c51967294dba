import type { FastifyInstance } from 'fastify';
import { decideHeldDeletes, heldDeletesView } from '../safetyReport';
import type { AdminDeps } from './deps';

/** Deletions held by KADA_DELETE_GUARD (service.md): list, release or drop them. */
export function deleteRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;
  app.get('/api/deletes', async () => heldDeletesView(ctx.db));
  for (const action of ['release', 'drop'] as const) {
    app.post(`/api/deletes/${action}`, async (req) => {
      const { personIds, ...verdict } = await decideHeldDeletes(ctx.db, action, ctx.metrics);
      // One audit entry per person whose calendar the decision touches; one naming no one if none.
      req.auditPersons = personIds.length ? personIds : [null];
      deps.wakeWorkers?.();
      ctx.logger.info({ deletes: verdict.deletes, persons: verdict.persons }, `admin ${action}d held deletions`);
      return verdict;
    });
  }
}
