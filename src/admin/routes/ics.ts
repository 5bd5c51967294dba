import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createFeed, IcsKeyChangedError, revokeFeed } from '../../ics/feedLifecycle';
import { resolveFeedSubject } from '../../ics/feedSubject';
import { answerFeed } from '../../ics/serveFeed';
import { callerOf } from '../caller';
import { AdminHttpError, notFound, parseInput } from '../httpErrors';
import { personParams } from '../inputs';
import type { AdminDeps } from './deps';

/**
 * ICS feeds (rooms-ics.md): POST/DELETE /api/persons/{person}/ics to create and revoke (kada.operate;
 * the audit trail maps these routes to ics-create and ics-revoke), and the public GET /ics/<token>.ics,
 * which needs nothing but the token. Only /ics/ is meant to be reachable from the internet.
 */
export function icsRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;

  async function subjectOf(req: FastifyRequest): Promise<string> {
    if (!callerOf(req).roles.has('kada.operate'))
      throw new AdminHttpError(403, 'forbidden', 'managing ICS feeds needs the kada.operate role');
    const { person } = parseInput(personParams, req.params, 'person');
    const subject = await resolveFeedSubject(ctx, person);
    if (!subject)
      throw notFound(
        `unknown person "${person}": no personlopenummer, username or e-mail matches, ` +
          'and no stored TP timetable names a tp:<username>',
      );
    return subject;
  }

  app.post('/api/persons/:person/ics', async (req, reply) => {
    const subject = await subjectOf(req);
    try {
      const { url, created } = await createFeed(ctx, subject);
      ctx.logger.info({ personId: subject, created }, 'admin created an ICS feed');
      return reply.code(201).send({ url });
    } catch (err) {
      if (err instanceof IcsKeyChangedError) throw new AdminHttpError(409, 'ics_key_changed', err.message);
      throw err;
    }
  });

  app.delete('/api/persons/:person/ics', async (req, reply) => {
    const subject = await subjectOf(req);
    const revoked = await revokeFeed(ctx, subject);
    ctx.logger.info({ personId: subject, revoked }, 'admin revoked an ICS feed');
    return reply.code(204).send();
  });

  app.get('/ics/:file', async (req, reply) => {
    const { file } = req.params as { file: string };
    // Whatever was sent is hashed and looked up the same way (serveFeed.ts): no early answer for odd tokens.
    const token = file.endsWith('.ics') ? file.slice(0, -4) : `\u0000${file}`;
    const answer = await answerFeed(ctx, token, req.headers['if-none-match']);
    if (answer.status === 404)
      return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not Found\n');
    if (answer.status === 503)
      return reply
        .code(503)
        .header('retry-after', '60')
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('The timetable cannot be read right now; try again shortly.\n');
    reply.header('etag', answer.etag).header('cache-control', 'max-age=300');
    if (answer.status === 304) return reply.code(304).send();
    return reply.code(200).type('text/calendar; charset=utf-8').send(answer.body);
  });
}
