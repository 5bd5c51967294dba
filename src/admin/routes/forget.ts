import type { FastifyInstance } from 'fastify';
import { CalendarRemovalError } from '../../erasure/removeKadaEvents';
import { forgetPerson } from '../../erasure/forgetPerson';
import { PersonBusyError } from '../../erasure/personClaim';
import { resolvePerson } from '../../sync/resolvePerson';
import { AdminHttpError, notFound, parseInput } from '../httpErrors';
import { personParams } from '../inputs';
import { limitOf } from '../rateLimits';
import type { AdminDeps } from './deps';

/** DELETE /api/persons/{person}: `kada forget` over HTTP (service.md), answered with the receipt. */
export function forgetRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;
  app.delete('/api/persons/:person', limitOf(ctx.config, 'forget'), async (req) => {
    const { person } = parseInput(personParams, req.params, 'person');
    const personId = await resolvePerson(ctx, person);
    if (!personId) throw notFound(`unknown person "${person}": no personlopenummer, username or e-mail matches`);
    req.auditPersons = [personId];
    try {
      return await forgetPerson(ctx, personId);
    } catch (err) {
      if (err instanceof CalendarRemovalError)
        throw new AdminHttpError(
          502,
          'calendar_removal_failed',
          `kada's events could not be removed from the calendar (${err.message}); nothing was erased, try again`,
        );
      if (err instanceof PersonBusyError) throw new AdminHttpError(409, 'person_busy', err.message);
      throw err;
    }
  });
}
