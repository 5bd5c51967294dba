import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enqueuePerson } from '../../jobs/enqueue';
import { PRIORITY } from '../../jobs/types';
import { SourceError } from '../../sources/http';
import { searchPersons, setOptOut } from '../../store/persons';
import { mailboxOf } from '../../sync/mailbox';
import { resolvePerson } from '../../sync/resolvePerson';
import { syncPerson } from '../../sync/syncPerson';
import { notFound, parseInput } from '../httpErrors';
import { diffQuery, personParams, searchQuery } from '../inputs';
import { enrolment, storedPersonReport, type PersonReport } from '../personReport';
import { limitOf } from '../rateLimits';
import type { AdminDeps } from './deps';

/** A dry-run diff lists at most this many changes; the counts are always complete. */
const MAX_LISTED_CHANGES = 2000;

export function personRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;

  /** The personlopenummer the request names; also whom its audit entry names. */
  async function personIdOf(req: FastifyRequest): Promise<string> {
    const { person } = parseInput(personParams, req.params, 'person');
    const id = await resolvePerson(ctx, person);
    if (!id) throw notFound(`unknown person "${person}": no personlopenummer, username or e-mail matches`);
    req.auditPersons = [id];
    return id;
  }

  async function queueRebuild(personId: string, reason: string): Promise<string> {
    const jobId = await enqueuePerson(ctx.db, personId, {
      priority: PRIORITY.forced,
      force: true,
      reason,
      maxAttempts: ctx.config.jobMaxAttempts,
    });
    deps.wakeWorkers?.();
    return jobId;
  }

  app.get('/api/persons', async (req) => {
    const { q, limit } = parseInput(searchQuery, req.query, 'query');
    const found = await searchPersons(ctx.db, q, limit);
    return {
      persons: found.map((p) => ({
        personId: p.personId,
        name: [p.firstName, p.lastName].filter(Boolean).join(' ') || null,
        username: p.username,
        mailbox: p.mailbox,
        status: p.status,
        eventCount: p.eventCount,
      })),
    };
  });

  app.get('/api/persons/:person', async (req): Promise<PersonReport> => {
    const personId = await personIdOf(req);
    const stored = await storedPersonReport(ctx.db, personId);
    let fromFs: Partial<PersonReport> = { courses: [], groups: [] };
    try {
      const [fsPerson, enrolled] = await Promise.all([
        ctx.fs.getPerson(personId),
        enrolment(ctx.fs, personId, ctx.config.semesters),
      ]);
      fromFs = {
        ...enrolled,
        ...(fsPerson
          ? {
              name: `${fsPerson.firstName} ${fsPerson.lastName}`.trim() || null,
              username: fsPerson.username,
              email: fsPerson.email,
              ...(stored?.mailbox ? {} : { mailbox: mailboxOf(fsPerson, ctx.config.mailbox) }),
            }
          : {}),
      };
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      // The admin still gets kada's own record while FS is down.
      fromFs = {
        courses: [],
        groups: [],
        fsUnavailable: `FS could not be read (${err.code}); courses and groups are missing`,
      };
    }
    const base = stored ?? {
      personId,
      name: null,
      username: null,
      email: null,
      mailbox: null,
      status: 'unknown' as const,
      optedOut: false,
      eventCount: 0,
      lastSync: null,
      lastError: null,
      lastErrorAt: null,
      syncedCourses: [],
      recentJobs: [],
      recentErrors: [],
    };
    return { ...base, ...fromFs } as PersonReport;
  });

  app.get('/api/persons/:person/diff', limitOf(ctx.config, 'diff'), async (req) => {
    const personId = await personIdOf(req);
    const { against } = parseInput(diffQuery, req.query, 'query');
    // Sources are read afresh, as a rebuild would; `against=graph` also reads the calendar back.
    const r = await syncPerson(ctx, personId, {
      dryRun: true,
      courseMaxAgeMs: 0,
      mode: against === 'graph' ? 'reconcile' : 'sync',
    });
    return {
      personId,
      against,
      outcome: r.outcome,
      mailbox: r.mailbox,
      eventCount: r.eventCount,
      counts: r.planned,
      changes: r.changes.slice(0, MAX_LISTED_CHANGES),
      truncated: r.changes.length > MAX_LISTED_CHANGES,
      courses: r.courses,
      dataErrors: r.dataErrors,
    };
  });

  app.post('/api/persons/:person/rebuild', limitOf(ctx.config, 'rebuild'), async (req, reply) => {
    const personId = await personIdOf(req);
    const jobId = await queueRebuild(personId, 'rebuild requested in the admin API');
    ctx.logger.info({ personId, jobId }, 'admin queued a forced rebuild');
    return reply.code(202).header('location', `/api/jobs/${jobId}`).send({ jobId, personId });
  });

  for (const [method, optedOut] of [
    ['PUT', true],
    ['DELETE', false],
  ] as const) {
    app.route({
      method,
      url: '/api/persons/:person/opt-out',
      handler: async (req, reply) => {
        const personId = await personIdOf(req);
        await setOptOut(ctx.db, personId, optedOut);
        const jobId = await queueRebuild(
          personId,
          optedOut ? 'opted out by an admin' : 'opt-out withdrawn by an admin',
        );
        ctx.logger.info({ personId, jobId, optedOut }, 'admin changed opt-out');
        return reply.code(202).header('location', `/api/jobs/${jobId}`).send({ personId, optedOut, jobId });
      },
    });
  }
}
