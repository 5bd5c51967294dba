import type { Row } from '../../store/queryable';
import type { FastifyInstance } from 'fastify';
import { recentErrors } from '../../store/errors';
import { resolvePerson } from '../../sync/resolvePerson';
import { notFound, parseInput } from '../httpErrors';
import { errorsQuery } from '../inputs';
import { collectStatus } from '../statusReport';
import type { AdminDeps } from './deps';

export function statusRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;

  app.get('/api/status', async () =>
    collectStatus(ctx.db, { writer: ctx.writer, processId: ctx.processId, metrics: ctx.metrics }),
  );

  app.get('/api/errors', async (req) => {
    const q = parseInput(errorsQuery, req.query, 'query');
    let personId: string | undefined;
    if (q.person !== undefined) {
      personId = (await resolvePerson(ctx, q.person)) ?? undefined;
      if (!personId) throw notFound(`unknown person "${q.person}": no personlopenummer, username or e-mail matches`);
    }
    const errors = await recentErrors(ctx.db, { limit: q.limit, personId, kind: q.kind });
    // Notifications the inbox gave up on; not tied to a person, so only in the unfiltered view.
    const failedNotifications =
      personId || (q.kind && q.kind !== 'dead_letter')
        ? []
        : (
            (await ctx.db.query(
              `SELECT notification_id, format, routing_key, attempts, error, received_at, processed_at FROM inbox
              WHERE state = 'failed' ORDER BY id DESC LIMIT $1`,
              [q.limit],
            )) as Row[]
          ).map((r) => ({
            notificationId: r.notification_id,
            format: r.format,
            routingKey: r.routing_key,
            attempts: r.attempts,
            error: r.error,
            receivedAt: r.received_at,
            failedAt: r.processed_at,
          }));
    return { errors, failedNotifications };
  });
}
