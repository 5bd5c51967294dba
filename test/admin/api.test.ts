import { hostname } from 'node:os';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAdminApp, startAdminServer } from '../../src/admin/server';
import { openApiDocument } from '../../src/admin/openapi';
import { getJob } from '../../src/jobs/jobStatus';
import { PRIORITY } from '../../src/jobs/types';
import { saveProcessStats } from '../../src/store/processStats';
import { recordError } from '../../src/store/errors';
import { getPerson, upsertPerson } from '../../src/store/persons';
import { checkInjectedAnswers, OpenApiChecker } from '../../testkit/support/openApiCheck';
import { ADMIN_TOKEN, FS_KEY, TP_KEY, startAdminFixture, type AdminFixture } from './fixture';

let f: AdminFixture;
let app: FastifyInstance;
let ready = { database: true, broker: true };
let wakes = 0;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Every answer of this suite is checked against the OpenAPI document (item 7 of issue 18). */
const openApi = new OpenApiChecker(openApiDocument as never);
const checked = (a: FastifyInstance) => checkInjectedAnswers(a, openApi);
afterEach(() => {
  const problems = openApi.problems;
  openApi.problems = [];
  expect(problems, 'answers that do not match the OpenAPI document').toEqual([]);
});
afterAll(() => {
  expect(openApi.checked).toBeGreaterThan(50);
});

const get = (url: string, headers: Record<string, string> = auth) => app.inject({ method: 'GET', url, headers });
const send = (method: InjectOptions['method'], url: string, headers: Record<string, string> = auth) =>
  app.inject({ method, url, headers });

beforeAll(async () => {
  f = await startAdminFixture();
  app = checked(
    await buildAdminApp(f.ctx, {
      isReady: async () => ready,
      wakeWorkers: () => {
        wakes++;
      },
    }),
  );
});
afterAll(async () => {
  await app?.close();
  await f?.close();
});
beforeEach(async () => {
  f.sources.setFaults({});
  await f.ctx.db.query(`DELETE FROM jobs; DELETE FROM errors; DELETE FROM inbox; DELETE FROM persons`);
});

/** Every route of service.md, with parameters filled in. */
function protectedRoutes(person: string): [InjectOptions['method'], string][] {
  return [
    ['GET', `/api/persons/${person}`],
    ['GET', `/api/persons/${person}/diff`],
    ['POST', `/api/persons/${person}/rebuild`],
    ['PUT', `/api/persons/${person}/opt-out`],
    ['DELETE', `/api/persons/${person}/opt-out`],
    ['GET', '/api/persons?q=a'],
    ['GET', '/api/jobs/1'],
    ['GET', '/api/status'],
    ['GET', '/api/errors'],
    ['GET', '/api/no-such-route'],
  ];
}

describe('admin API: authentication', () => {
  it('answers only 401 {"error":"unauthorized"} without a token, with a wrong one or another scheme', async () => {
    const person = f.institution.aStudent().personlopenummer;
    const wrongSameLength = `Bearer ${'x'.repeat(ADMIN_TOKEN.length)}`;
    const variants: Record<string, string>[] = [
      {},
      { authorization: wrongSameLength },
      { authorization: `Bearer ${ADMIN_TOKEN}x` },
      { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
      { authorization: 'Bearer ' },
    ];
    for (const [method, url] of protectedRoutes(person)) {
      for (const headers of variants) {
        const res = await send(method, url, headers);
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body).toBe('{"error":"unauthorized"}');
      }
    }
    // Nothing was done on the way: no job was queued.
    expect((await f.ctx.db.query(`SELECT count(*)::int AS n FROM jobs`))[0].n).toBe(0);
  });

  it('cannot be bypassed by encoding or bending the path', async () => {
    for (const url of [
      '/%61pi/status',
      '/%61%70%69/errors',
      '/api/%73tatus',
      '/api/status/',
      '/api//status',
      '//api/status',
      '/API/status',
      '/./api/status',
      '/x/../api/status',
      '/api/status;x',
    ]) {
      const res = await get(url, {});
      expect(res.statusCode, url).toBe(401);
      expect(res.body).toBe('{"error":"unauthorized"}');
    }
  });

  it('accepts the token case-insensitively on the scheme only', async () => {
    expect((await get('/api/status', { authorization: `bearer ${ADMIN_TOKEN}` })).statusCode).toBe(200);
    expect((await get('/api/status', { authorization: `Bearer ${ADMIN_TOKEN.toUpperCase()}` })).statusCode).toBe(401);
  });

  it('disables /api/* with 503 without an ADMIN_TOKEN, but keeps health and the OpenAPI document', async () => {
    const disabled = checked(
      await buildAdminApp(
        { ...f.ctx, config: { ...f.ctx.config, adminToken: undefined } },
        { isReady: async () => ready },
      ),
    );
    try {
      const res = await disabled.inject({ method: 'GET', url: '/api/status', headers: auth });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toBe('admin API disabled');
      const rebuild = await disabled.inject({
        method: 'POST',
        url: `/api/persons/${f.institution.aStudent().personlopenummer}/rebuild`,
      });
      expect(rebuild.statusCode).toBe(503);
      expect((await disabled.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await disabled.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
    } finally {
      await disabled.close();
    }
  });
});

describe('admin API: persons', () => {
  it('shows a person found by number, username or e-mail, with courses and groups from FS', async () => {
    const s = f.institution.aStudent(3);
    const regs = f.institution.registrationsOfPerson(s.personlopenummer, '26h');
    expect(regs.length).toBeGreaterThan(0);
    for (const q of [
      s.personlopenummer,
      s.brukernavn,
      encodeURIComponent(s.epost!),
      s.epost!.toUpperCase().replace('@', '%40'),
    ]) {
      const res = await get(`/api/persons/${q}`);
      expect(res.statusCode, q).toBe(200);
      const body = res.json();
      expect(body.personId).toBe(s.personlopenummer);
      expect(body.name).toBe(`${s.fornavn} ${s.etternavn}`);
      expect(body.mailbox).toBe(s.epost!.toLowerCase());
      expect(body.status).toBe('unknown'); // FS knows them; kada has not synced them yet
      expect(body.eventCount).toBe(0);
      expect(body.courses.map((c: { courseId: string }) => c.courseId).sort()).toEqual(
        regs.map((r) => r.emne.kode).sort(),
      );
      const groups = regs.flatMap((r) => r.aktiviteter.map((a) => `26h:${r.emne.kode},${r.emne.versjon} ${a}`)).sort();
      expect(body.groups.map((g: { course: string; activity: string }) => `${g.course} ${g.activity}`).sort()).toEqual(
        groups,
      );
      expect(body.courses.every((c: { roles: string[] }) => c.roles.includes('student'))).toBe(true);
    }
  });

  it("shows kada's record: status, event count, last sync, last error, recent jobs", async () => {
    const s = f.institution.aStudent(4);
    await upsertPerson(
      f.ctx.db,
      {
        personId: s.personlopenummer,
        firstName: s.fornavn,
        lastName: s.etternavn,
        username: s.brukernavn,
        email: s.epost,
      },
      s.epost,
      'active',
    );
    await f.ctx.db.query(
      `UPDATE persons SET last_sync_at = now(), last_error = 'boom', last_error_at = now() WHERE person_id = $1`,
      [s.personlopenummer],
    );
    await f.ctx.db.query(
      `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
         course_version)
       VALUES ($1, 'k1', $2, 'g1', 'h', '26h', 'IN1000', '1'), ($1, 'k2', $2, 'g2', 'h', '26h', 'IN1000', '1')`,
      [s.personlopenummer, s.epost],
    );
    await send('POST', `/api/persons/${s.personlopenummer}/rebuild`);
    const body = (await get(`/api/persons/${s.brukernavn}`)).json();
    expect(body).toMatchObject({
      personId: s.personlopenummer,
      status: 'active',
      optedOut: false,
      eventCount: 2,
      lastError: 'boom',
    });
    expect(new Date(body.lastSync).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(body.syncedCourses).toEqual(['26h:IN1000,1']);
    expect(body.recentJobs).toHaveLength(1);
    expect(body.recentJobs[0]).toMatchObject({ state: 'queued', force: true, priority: PRIORITY.forced });
    await f.ctx.db.query(`DELETE FROM synced_events`);
  });

  it('answers 404 with a clear message for an unknown person, and 400 for a malformed one', async () => {
    for (const q of ['nobody-here', '999999999', 'nobody%40nowhere.example']) {
      const res = await get(`/api/persons/${q}`);
      expect(res.statusCode, q).toBe(404);
      expect(res.json().error).toBe('not_found');
      expect(res.json().message).toMatch(/unknown person ".+"/);
      expect((await send('POST', `/api/persons/${q}/rebuild`)).statusCode).toBe(404);
      expect((await get(`/api/persons/${q}/diff`)).statusCode).toBe(404);
    }
    const long = await get(`/api/persons/${'a'.repeat(255)}`);
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toMatch(/longer than 254/);
    expect((await get('/api/persons/a%00b')).statusCode).toBe(400);
    expect((await get(`/api/persons/${'a'.repeat(2000)}`)).statusCode).toBeGreaterThanOrEqual(400);
  });

  it("still shows kada's record when FS is down, and a 502 without secrets when FS is needed", async () => {
    const s = f.institution.aStudent(5);
    await upsertPerson(
      f.ctx.db,
      {
        personId: s.personlopenummer,
        firstName: s.fornavn,
        lastName: s.etternavn,
        username: s.brukernavn,
        email: s.epost,
      },
      s.epost,
      'active',
    );
    f.sources.setFaults({ fs: { status: 503 } });
    const known = await get(`/api/persons/${s.personlopenummer}`);
    expect(known.statusCode).toBe(200);
    expect(known.json().fsUnavailable).toMatch(/FS could not be read/);
    expect(known.json().courses).toEqual([]);
    const unknown = await get(`/api/persons/${f.institution.aStudent(6).brukernavn}`);
    expect(unknown.statusCode).toBe(502);
    expect(unknown.json().error).toBe('upstream_unavailable');
    for (const secret of [FS_KEY, TP_KEY, ADMIN_TOKEN, 'client-secret-never-shown'])
      expect(unknown.body).not.toContain(secret);
    expect(unknown.body).not.toMatch(/\bat .+\.ts:\d+/); // no stack trace
  });

  it('searches known persons by part of a username, e-mail or name', async () => {
    const s = f.institution.aStudent(7);
    await upsertPerson(
      f.ctx.db,
      {
        personId: s.personlopenummer,
        firstName: s.fornavn,
        lastName: s.etternavn,
        username: s.brukernavn,
        email: s.epost,
      },
      s.epost,
      'active',
    );
    const res = await get(`/api/persons?q=${encodeURIComponent(s.brukernavn.slice(0, 4))}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().persons).toContainEqual(
      expect.objectContaining({ personId: s.personlopenummer, username: s.brukernavn }),
    );
    expect(
      (await get(`/api/persons?q=${encodeURIComponent(s.etternavn)}`))
        .json()
        .persons.map((p: { personId: string }) => p.personId),
    ).toContain(s.personlopenummer);
    expect((await get('/api/persons?q=%25')).json().persons).toEqual([]); // LIKE wildcards are literal
    expect((await get('/api/persons')).statusCode).toBe(400);
  });
});

describe('admin API: dry-run diff', () => {
  it("lists the creates a first sync would make: exactly the person's timetable", async () => {
    const s = f.institution.aStudent(8);
    const expected = f.institution.timetableOf(s.personlopenummer, '26h');
    const res = await get(`/api/persons/${s.brukernavn}/diff`);
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d).toMatchObject({
      personId: s.personlopenummer,
      outcome: 'synced',
      mailbox: s.epost!.toLowerCase(),
      against: 'store',
      truncated: false,
    });
    expect(d.counts).toEqual({ creates: expected.length, updates: 0, deletes: 0 });
    expect(d.changes).toHaveLength(expected.length);
    expect(
      d.changes.every(
        (c: { kind: string; subject?: string; start?: string }) => c.kind === 'create' && c.subject && c.start,
      ),
    ).toBe(true);
    // A dry run writes nothing about the person.
    expect(await getPerson(f.ctx.db, s.personlopenummer)).toBeNull();
    expect((await get(`/api/persons/${s.brukernavn}/diff?against=calendar`)).statusCode).toBe(400);
  });

  it('plans deletes for events kada wrote that TP no longer has', async () => {
    const s = f.institution.aStudent(9);
    await f.ctx.db.query(
      `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
         course_version)
       VALUES ($1, '26h:ZZ9999,1:gone-event', $2, 'g-gone', 'h', '26h', 'ZZ9999', '1')`,
      [s.personlopenummer, s.epost!.toLowerCase()],
    );
    const d = (await get(`/api/persons/${s.personlopenummer}/diff`)).json();
    expect(d.counts.deletes).toBe(1);
    expect(d.changes).toContainEqual(expect.objectContaining({ kind: 'delete', key: '26h:ZZ9999,1:gone-event' }));
    expect(d.eventCount).toBe(1);
    await f.ctx.db.query(`DELETE FROM synced_events`);
  });
});

describe('admin API: rebuild, jobs and opt-out', () => {
  it('queues a forced rebuild (202 + jobId), wakes the workers, and coalesces a second request', async () => {
    const s = f.institution.aStudent(10);
    const before = wakes;
    const res = await send('POST', `/api/persons/${s.brukernavn}/rebuild`);
    expect(res.statusCode).toBe(202);
    const { jobId, personId } = res.json();
    expect(personId).toBe(s.personlopenummer);
    expect(jobId).toMatch(/^\d+$/);
    expect(res.headers.location).toBe(`/api/jobs/${jobId}`);
    expect(wakes).toBe(before + 1);
    const job = await getJob(f.ctx.db, jobId);
    expect(job).toMatchObject({
      personId: s.personlopenummer,
      state: 'queued',
      priority: PRIORITY.forced,
      force: true,
    });
    const again = await send('POST', `/api/persons/${s.personlopenummer}/rebuild`);
    expect(again.json().jobId).toBe(jobId);
  });

  it('shows a job, follows a merged one, and answers 404 for an unknown or malformed id', async () => {
    const s = f.institution.aStudent(11);
    const { jobId } = (await send('POST', `/api/persons/${s.personlopenummer}/rebuild`)).json();
    const res = await get(`/api/jobs/${jobId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      jobId,
      personId: s.personlopenummer,
      state: 'queued',
      progress: null,
      result: null,
      lastError: null,
      force: true,
    });

    await f.ctx.db.query(`UPDATE jobs SET state = 'running', progress = '{"done":3,"total":7}' WHERE id = $1`, [jobId]);
    expect((await get(`/api/jobs/${jobId}`)).json()).toMatchObject({
      state: 'running',
      progress: { done: 3, total: 7 },
    });
    await f.ctx.db.query(
      `UPDATE jobs SET state = 'done', result = '{"eventCount":12}', finished_at = now() WHERE id = $1`,
      [jobId],
    );
    expect((await get(`/api/jobs/${jobId}`)).json()).toMatchObject({ state: 'done', result: { eventCount: 12 } });

    for (const id of ['987654321', 'abc', '1e3', '-1', '9'.repeat(30)]) {
      const r = await get(`/api/jobs/${id}`);
      expect(r.statusCode, id).toBe(404);
      expect(r.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('unknown job') });
    }
  });

  it('sets and withdraws an admin opt-out, each time queuing a rebuild', async () => {
    const s = f.institution.aStudent(12);
    const put = await send('PUT', `/api/persons/${s.brukernavn}/opt-out`);
    expect(put.statusCode).toBe(202);
    expect(put.json()).toMatchObject({
      personId: s.personlopenummer,
      optedOut: true,
      jobId: expect.stringMatching(/^\d+$/),
    });
    expect((await getPerson(f.ctx.db, s.personlopenummer))?.optedOut).toBe(true);
    expect((await get(`/api/persons/${s.personlopenummer}`)).json().optedOut).toBe(true);
    const del = await send('DELETE', `/api/persons/${s.personlopenummer}/opt-out`);
    expect(del.statusCode).toBe(202);
    expect((await getPerson(f.ctx.db, s.personlopenummer))?.optedOut).toBe(false);
    expect((await send('PUT', '/api/persons/nobody-at-all/opt-out')).statusCode).toBe(404);
  });
});

describe('admin API: status and errors', () => {
  it('reports queue depths, inbox lag and pending, dead letters, Graph throttling and error counts', async () => {
    await send('POST', `/api/persons/${f.institution.aStudent(13).personlopenummer}/rebuild`);
    await send('POST', `/api/persons/${f.institution.aStudent(14).personlopenummer}/rebuild`);
    await f.ctx.db.query(`UPDATE jobs SET run_at = now() - interval '30 seconds'`);
    await f.ctx.db.query(
      `INSERT INTO inbox (notification_id, format, body, state, received_at) VALUES
         ('n1', 'fs', '{}', 'pending', now() - interval '95 seconds'),
         ('n2', 'tp', '{}', 'pending', now() - interval '5 seconds'),
         ('n3', 'tp', '{}', 'processed', now() - interval '1 hour'),
         ('n4', 'tp', '{}', 'failed', now() - interval '2 hours')`,
    );
    await recordError(f.ctx.db, {
      kind: 'dead_letter',
      code: 'NOTIFICATION_UNPARSABLE',
      message: 'not JSON',
      notificationId: 'x1',
    });
    await recordError(f.ctx.db, {
      kind: 'data',
      code: 'TP_EVENT_INVALID',
      message: 'dtend before dtstart',
      course: '26h:IN1000,1',
    });
    await recordError(f.ctx.db, {
      kind: 'data',
      code: 'TP_EVENT_INVALID',
      message: 'no eventid',
      course: '26h:IN1000,1',
    });

    const res = await get('/api/status');
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s.queue).toMatchObject({ queued: 2, running: 0, done: 0, failed: 0 });
    expect(s.queue.oldestQueuedSeconds).toBeGreaterThanOrEqual(29);
    expect(s.inbox).toMatchObject({ pending: 2, failed: 1 });
    expect(s.inbox.lagSeconds).toBeGreaterThanOrEqual(94);
    expect(s.deadLetters).toEqual({ total: 1, last24h: 1 });
    expect(s.errors).toEqual({ last24h: { data: 2, dead_letter: 1 }, total: 3 });
    expect(s.graph).toMatchObject({
      scope: 'all processes',
      processes: 1,
      throttled: 0,
      retryWaitSeconds: 0,
      pending: 0,
    });
    expect(s.graph.writer).toMatchObject({ httpRequests: 0, throttled: 0 });
  });

  it('adds up Graph throttling over every running kada process, leaving out the silent ones', async () => {
    const other = {
      throttled: 3,
      retryWaitMs: 4_500,
      retries: 5,
      failed: 0,
      pending: 7,
      httpRequests: 40,
      writes: { create: 30, update: 2, delete: 1 },
    };
    await saveProcessStats(f.ctx.db, {
      processId: 'kada-7f9c:1:00000001',
      hostname: 'kada-7f9c',
      startedAt: new Date(),
      graph: other,
    });
    await saveProcessStats(f.ctx.db, {
      processId: 'kada-dead:1:00000002',
      hostname: 'kada-dead',
      startedAt: new Date(),
      graph: { ...other, throttled: 100 },
    });
    await f.ctx.db.query(
      `UPDATE process_stats SET updated_at = now() - interval '5 minutes' WHERE process_id = 'kada-dead:1:00000002'`,
    );
    try {
      const s = (await get('/api/status')).json();
      expect(s.graph).toMatchObject({
        scope: 'all processes',
        processes: 2,
        throttled: 3,
        retryWaitSeconds: 4.5,
        pending: 7,
      });
      expect(s.graph.perProcess.map((p: { hostname: string }) => p.hostname).sort()).toEqual(
        [hostname(), 'kada-7f9c'].sort(),
      );
    } finally {
      await f.ctx.db.query(`DELETE FROM process_stats`);
    }
  });

  it('lists recent errors and failed notifications, filtered by person and kind, bounded by limit', async () => {
    const s = f.institution.aStudent(15);
    await recordError(f.ctx.db, {
      kind: 'person',
      code: 'PERSON_NO_MAILBOX',
      message: 'no mailbox',
      personId: s.personlopenummer,
    });
    await recordError(f.ctx.db, {
      kind: 'dead_letter',
      code: 'NOTIFICATION_UNKNOWN_FORMAT',
      message: 'unknown format',
      notificationId: 'n9',
    });
    await recordError(f.ctx.db, {
      kind: 'data',
      code: 'TP_EVENT_INVALID',
      message: 'bad event',
      course: '26h:IN1000,1',
    });
    await f.ctx.db.query(
      `INSERT INTO inbox (notification_id, format, routing_key, body, state, error, attempts) VALUES ('nf', 'tp',
         'no.uio.tp.course', '{}', 'failed', 'TP kept failing', 8)`,
    );

    const all = (await get('/api/errors')).json();
    expect(all.errors.map((e: { code: string }) => e.code)).toEqual([
      'TP_EVENT_INVALID',
      'NOTIFICATION_UNKNOWN_FORMAT',
      'PERSON_NO_MAILBOX',
    ]);
    expect(all.failedNotifications).toEqual([
      expect.objectContaining({
        notificationId: 'nf',
        format: 'tp',
        routingKey: 'no.uio.tp.course',
        attempts: 8,
        error: 'TP kept failing',
      }),
    ]);
    const mine = (await get(`/api/errors?person=${s.brukernavn}`)).json();
    expect(mine.errors).toEqual([expect.objectContaining({ code: 'PERSON_NO_MAILBOX', personId: s.personlopenummer })]);
    expect(mine.failedNotifications).toEqual([]);
    expect((await get('/api/errors?kind=dead_letter')).json().errors.map((e: { code: string }) => e.code)).toEqual([
      'NOTIFICATION_UNKNOWN_FORMAT',
    ]);
    expect((await get('/api/errors?limit=1')).json().errors).toHaveLength(1);
    for (const bad of ['limit=0', 'limit=abc', 'limit=5000', 'kind=everything'])
      expect((await get(`/api/errors?${bad}`)).statusCode, bad).toBe(400);
    expect((await get('/api/errors?person=nobody-at-all')).statusCode).toBe(404);
  });
});

describe('health, readiness, metrics', () => {
  it('answers /healthz without a token, and /readyz by the database and broker checks', async () => {
    expect((await get('/healthz', {})).json()).toEqual({ status: 'ok' });
    ready = { database: true, broker: true };
    expect((await get('/readyz', {})).statusCode).toBe(200);
    ready = { database: true, broker: false };
    const down = await get('/readyz', {});
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'not_ready', database: true, broker: false });
    ready = { database: true, broker: true };
  });

  it('answers /readyz/serve (the readinessProbe) by the database alone, reporting the broker', async () => {
    ready = { database: true, broker: false };
    const brokerDown = await get('/readyz/serve', {});
    expect(brokerDown.statusCode).toBe(200);
    expect(brokerDown.json()).toEqual({ status: 'ready', database: true, broker: false });
    ready = { database: false, broker: true };
    const dbDown = await get('/readyz/serve', {});
    expect(dbDown.statusCode).toBe(503);
    expect(dbDown.json()).toEqual({ status: 'not_ready', database: false, broker: true });
    ready = { database: true, broker: true };
  });

  it('answers 503 on /readyz when the readiness check itself fails', async () => {
    const failing = checked(
      await buildAdminApp(f.ctx, {
        isReady: async () => {
          throw new Error('connection refused');
        },
      }),
    );
    try {
      const res = await failing.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not_ready', database: false, broker: false });
    } finally {
      await failing.close();
    }
  });

  it("exposes kada's metrics in Prometheus text, and they move when jobs are queued", async () => {
    // Without the scrape-interval cache, so the second scrape reads the database again.
    const uncached = await buildAdminApp(
      { ...f.ctx, config: { ...f.ctx.config, metricsCacheMs: 0 } },
      { isReady: async () => ready, brokerConnected: () => false },
    );
    const scrape = async () => {
      const res = await uncached.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      return res.body;
    };
    const before = await scrape();
    for (const name of [
      'kada_jobs',
      'kada_graph_throttled_total',
      'kada_inbox_lag_seconds',
      'kada_notifications_received_total',
    ]) {
      expect(before).toContain(`# TYPE ${name} `);
    }
    expect(before).toMatch(/^kada_jobs\{state="queued"\} 0$/m);
    await send('POST', `/api/persons/${f.institution.aStudent(16).personlopenummer}/rebuild`);
    await f.ctx.db.query(
      `INSERT INTO inbox (notification_id, format, body, received_at) VALUES ('lagging', 'fs', '{}', now() - interval
         '120 seconds')`,
    );
    f.ctx.metrics.dataErrors.inc({ code: 'TP_EVENT_INVALID' });
    const after = await scrape();
    expect(after).toMatch(/^kada_jobs\{state="queued"\} 1$/m);
    expect(Number(/^kada_inbox_lag_seconds (\S+)$/m.exec(after)?.[1])).toBeGreaterThanOrEqual(119);
    expect(after).toMatch(/^kada_data_errors_total\{code="TP_EVENT_INVALID"\} 1$/m);
    expect(after).toMatch(/^kada_jobs_queued\{priority="rebuild"\} 1$/m);
    expect(after).toMatch(/^kada_broker_connected 0$/m);
    expect(after).toMatch(/^kada_database_up 1$/m);
    await uncached.close();
  });

  it('protects /metrics with METRICS_TOKEN when one is configured', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const guarded = checked(
      await buildAdminApp(
        { ...f.ctx, config: { ...f.ctx.config, metricsToken: token } },
        { isReady: async () => ready },
      ),
    );
    try {
      expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await guarded.inject({ method: 'GET', url: '/metrics', headers: auth })).statusCode).toBe(401);
      const ok = await guarded.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('kada_jobs');
    } finally {
      await guarded.close();
    }
  });
});

describe('OpenAPI document', () => {
  it('is served without a token and describes every route the server has', async () => {
    const res = await get('/api/openapi.json', {});
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument)));
    const described: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(methods)) {
        described.push(`${method.toUpperCase()} ${path}`);
        expect(
          app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }),
          `${method} ${path}`,
        ).toBe(true);
      }
    }
    for (const route of [
      'POST /api/persons/{person}/rebuild',
      'GET /api/persons/{person}',
      'GET /api/persons/{person}/diff',
      'GET /api/jobs/{jobId}',
      'GET /api/status',
      'GET /api/errors',
      'GET /healthz',
      'GET /readyz',
      'GET /readyz/serve',
      'GET /metrics',
    ]) {
      expect(described).toContain(route);
    }
    // Every $ref points at a schema that exists.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const r of refs) expect(doc.components.schemas[r.split('/').pop()!], r).toBeDefined();
  });
});

describe('over real HTTP', () => {
  it('listens, serves health and the API, and closes', async () => {
    const server = await startAdminServer(f.ctx, { port: 0, host: '127.0.0.1', isReady: async () => ready });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const denied = await fetch(`${server.url}/api/status`);
      expect(denied.status).toBe(401);
      expect(await denied.text()).toBe('{"error":"unauthorized"}');
      const ok = await fetch(`${server.url}/api/status`, { headers: auth });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('cache-control')).toBe('no-store');
    } finally {
      await server.close();
    }
  });
});
