import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditOutcome, auditedAction, registerAuditHook } from '../../src/admin/auditHook';
import { buildAdminApp } from '../../src/admin/server';
import { main } from '../../src/cli/main';
import { pruneExpired } from '../../src/erasure/retention';
import { createLogger } from '../../src/log/logger';
import { pseudonym } from '../../src/log/pseudonym';
import { writeAudit } from '../../src/store/audit';
import { upsertPerson } from '../../src/store/persons';
import { ADMIN_TOKEN, type AdminFixture, FS_KEY, TP_KEY, startAdminFixture } from './fixture';

/** issue 17 items 3 and 4: the audit trail of every action and every read of one person's data. */

let f: AdminFixture;
let app: FastifyInstance;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const send = (method: InjectOptions['method'], url: string, headers: Record<string, string> = auth) =>
  app.inject({ method, url, headers });
const entries = async () =>
  (await f.ctx.db.query(`SELECT actor, action, person, outcome, request_id FROM audit_log ORDER BY id`)) as {
    actor: string;
    action: string;
    person: string | null;
    outcome: string;
    request_id: string | null;
  }[];

beforeAll(async () => {
  f = await startAdminFixture();
  app = await buildAdminApp(f.ctx, { isReady: async () => ({ database: true, broker: true }) });
});
afterAll(async () => {
  await app?.close();
  await f?.close();
});
beforeEach(async () => {
  f.sources.setFaults({});
  // TRUNCATE: the append-only trigger refuses a DELETE of young entries, as it should.
  await f.ctx.db.query(`TRUNCATE audit_log; DELETE FROM jobs; DELETE FROM held_deletes; DELETE FROM persons`);
});

async function knownStudent() {
  const s = f.institution.aStudent();
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
  return s;
}

describe('audit trail: what the admin API records', () => {
  it('writes one entry per read and action, naming the personlopenummer whatever was typed', async () => {
    const s = await knownStudent();
    const id = s.personlopenummer;
    const requests: [InjectOptions['method'], string, number][] = [
      ['GET', `/api/persons/${encodeURIComponent(s.epost!)}`, 200],
      ['GET', `/api/persons/${s.brukernavn}/diff`, 200],
      ['POST', `/api/persons/${id}/rebuild`, 202],
      ['PUT', `/api/persons/${id}/opt-out`, 202],
      ['DELETE', `/api/persons/${id}/opt-out`, 202],
    ];
    for (const [method, url, status] of requests) {
      expect((await send(method, url)).statusCode, `${method} ${url}`).toBe(status);
    }
    const rows = await entries();
    expect(rows.map(({ request_id, ...e }) => e)).toEqual(
      ['read', 'diff', 'rebuild', 'opt-out', 'opt-in'].map((action) => ({
        actor: 'token',
        action,
        person: id,
        outcome: 'ok',
      })),
    );
    // Each names its request (unique across replicas), so the log line can be found.
    for (const r of rows) expect(r.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(rows.map((r) => r.request_id)).size).toBe(rows.length);
    // HEAD runs the GET handler, so it is the same read.
    expect((await send('HEAD', `/api/persons/${id}`)).statusCode).toBe(200);
    expect((await entries()).at(-1)).toMatchObject({ action: 'read', person: id, outcome: 'ok' });
    // Searches and the status of the whole service read no one person's data: no entries.
    await send('GET', `/api/persons?q=${s.brukernavn}`);
    await send('GET', '/api/status');
    expect(await entries()).toHaveLength(6);
  });

  it('records failures as error: an unknown person (as typed), a bad person, a source down', async () => {
    const s = await knownStudent();
    expect((await send('GET', '/api/persons/nobody-at-all')).statusCode).toBe(404);
    expect((await send('POST', '/api/persons/nobody-at-all/rebuild')).statusCode).toBe(404);
    expect((await send('GET', `/api/persons/${'9'.repeat(300)}`)).statusCode).toBe(400);
    f.sources.setFaults({ fs: { status: 503 } });
    expect((await send('GET', `/api/persons/${s.personlopenummer}/diff`)).statusCode).toBe(502);
    const rows = (await entries()).map(({ request_id, ...e }) => e);
    expect(rows).toEqual([
      { actor: 'token', action: 'read', person: 'nobody-at-all', outcome: 'error' },
      { actor: 'token', action: 'rebuild', person: 'nobody-at-all', outcome: 'error' },
      // What was typed is bounded (254 characters), as every input is.
      { actor: 'token', action: 'read', person: '9'.repeat(254), outcome: 'error' },
      { actor: 'token', action: 'diff', person: s.personlopenummer, outcome: 'error' },
    ]);
    // Without a valid token nobody is known: nothing is recorded (and nothing is done).
    expect((await send('GET', `/api/persons/${s.personlopenummer}`, {})).statusCode).toBe(401);
    expect(await entries()).toHaveLength(4);
  });

  it('records releasing and dropping held deletions once per person concerned', async () => {
    await f.ctx.db.query(
      `INSERT INTO held_deletes (person_id, graph_event_id, mailbox, key) VALUES
         ('5001', 'g1', 'a@uio.no', 'k1'), ('5001', 'g2', 'a@uio.no', 'k2'), ('5002', 'g3', 'b@uio.no', 'k3')`,
    );
    const released = await send('POST', '/api/deletes/release');
    expect(released.statusCode).toBe(200);
    // The answer is the verdict of service.md, not the persons list the audit needed.
    expect(released.json()).toEqual({ action: 'release', deletes: 3, persons: 2, jobsQueued: 2 });
    // Released ones wait for their jobs, so a drop still concerns them; a second finds nothing.
    expect((await send('POST', '/api/deletes/drop')).statusCode).toBe(200);
    expect((await send('POST', '/api/deletes/drop')).statusCode).toBe(200);
    const rows = (await entries()).map(({ request_id, ...e }) => e);
    expect(rows).toEqual([
      { actor: 'token', action: 'release-deletes', person: '5001', outcome: 'ok' },
      { actor: 'token', action: 'release-deletes', person: '5002', outcome: 'ok' },
      { actor: 'token', action: 'drop-deletes', person: '5001', outcome: 'ok' },
      { actor: 'token', action: 'drop-deletes', person: '5002', outcome: 'ok' },
      // Nothing left to drop: still one entry, naming no one.
      { actor: 'token', action: 'drop-deletes', person: null, outcome: 'ok' },
    ]);
  });

  it('records a refused request as denied (a role check answering 403 before the handler)', async () => {
    // The role checks are added in the OIDC work; this stands in for one, on a real route pattern.
    const bare = Fastify({ logger: false });
    bare.addHook('onRequest', async (req, reply) => {
      req.caller = { actor: 'reader@uio.no', roles: new Set(['kada.read']) };
      if (req.method !== 'GET') return reply.code(403).send({ error: 'forbidden', message: 'needs kada.operate' });
    });
    registerAuditHook(bare, f.ctx);
    bare.post('/api/persons/:person/rebuild', async () => ({ jobId: 'never' }));
    const s = await knownStudent();
    try {
      const res = await bare.inject({ method: 'POST', url: `/api/persons/${s.brukernavn}/rebuild` });
      expect(res.statusCode).toBe(403);
    } finally {
      await bare.close();
    }
    expect((await entries()).map(({ request_id, ...e }) => e)).toEqual([
      { actor: 'reader@uio.no', action: 'rebuild', person: s.personlopenummer, outcome: 'denied' },
    ]);
  });

  it('maps routes and statuses to actions and outcomes (also the ICS routes and reads added later)', () => {
    expect(auditedAction('GET', '/api/persons/:person')).toBe('read');
    expect(auditedAction('GET', '/api/persons/:person/diff')).toBe('diff');
    // HEAD runs the GET handler: the same read.
    expect(auditedAction('HEAD', '/api/persons/:person')).toBe('read');
    expect(auditedAction('HEAD', '/api/persons/:person/diff')).toBe('diff');
    expect(auditedAction('DELETE', '/api/persons/:person')).toBe('forget');
    expect(auditedAction('PUT', '/api/persons/:person/opt-out')).toBe('opt-out');
    expect(auditedAction('DELETE', '/api/persons/:person/opt-out')).toBe('opt-in');
    expect(auditedAction('POST', '/api/persons/:person/ics')).toBe('ics-create');
    expect(auditedAction('DELETE', '/api/persons/:person/ics')).toBe('ics-revoke');
    expect(auditedAction('POST', '/api/deletes/release')).toBe('release-deletes');
    expect(auditedAction('POST', '/api/deletes/drop')).toBe('drop-deletes');
    expect(auditedAction('GET', '/api/persons/:person/some-later-view')).toBe('read');
    for (const [method, route] of [
      ['GET', '/api/persons'],
      ['GET', '/api/status'],
      ['GET', '/api/deletes'],
      ['GET', '/api/audit'],
      ['POST', '/api/persons/:person/unknown'],
      ['GET', undefined],
    ] as const)
      expect(auditedAction(method, route), `${method} ${route}`).toBeNull();
    expect([200, 202, 204, 302].map(auditOutcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect([403, 429].map(auditOutcome)).toEqual(['denied', 'denied']);
    expect([400, 404, 409, 500, 502].map(auditOutcome)).toEqual(['error', 'error', 'error', 'error', 'error']);
  });
});

describe('audit trail: GET /api/audit and `kada audit`', () => {
  async function seedEntries(id: string) {
    // Distinct times, inserted out of order: the answer is ordered by time, not by insertion.
    await f.ctx.db.query(
      `INSERT INTO audit_log (at, actor, action, person, outcome) VALUES
         (now() - interval '3 minutes', 'token', 'read', $1, 'ok'),
         (now() - interval '1 minute', 'ops@uio.no', 'rebuild', $1, 'ok'),
         (now() - interval '2 minutes', 'token', 'diff', '4242', 'error'),
         (now() - interval '4 minutes', 'token', 'forget', $2, 'ok')`,
      [id, pseudonym(f.ctx.config.logKey, id)],
    );
  }

  it('answers newest first, filtered by person (by any name, and their forgotten entries), limited', async () => {
    const s = await knownStudent();
    await seedEntries(s.personlopenummer);
    const all = await send('GET', '/api/audit');
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((e: { action: string }) => e.action)).toEqual(['rebuild', 'diff', 'read', 'forget']);
    expect(Object.keys(all.json().items[0]).sort()).toEqual(['action', 'actor', 'at', 'outcome', 'person']);
    expect(all.json().items[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const byMail = (await send('GET', `/api/audit?person=${encodeURIComponent(s.epost!)}`)).json().items;
    expect(byMail.map((e: { action: string }) => e.action)).toEqual(['rebuild', 'read', 'forget']);
    const limited = (await send('GET', `/api/audit?person=${s.brukernavn}&limit=1`)).json().items;
    expect(limited).toEqual([expect.objectContaining({ actor: 'ops@uio.no', action: 'rebuild' })]);
    const byHash = (await send('GET', `/api/audit?person=${pseudonym(f.ctx.config.logKey, s.personlopenummer)}`)).json()
      .items;
    expect(byHash.map((e: { action: string }) => e.action)).toEqual(['forget']);
    // A number nobody knows any more still finds what was recorded about it.
    const gone = (await send('GET', '/api/audit?person=4242')).json().items;
    expect(gone).toEqual([expect.objectContaining({ action: 'diff', person: '4242', outcome: 'error' })]);
  });

  it('rejects a bad limit or person, and answers 404 for a name nobody has', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=ten', 'person=', `person=${'x'.repeat(300)}`]) {
      const res = await send('GET', `/api/audit?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error).toBe('bad_request');
    }
    expect((await send('GET', '/api/audit?person=nobody-at-all')).statusCode).toBe(404);
    expect((await send('GET', '/api/audit', {})).statusCode).toBe(401);
  });

  it('`kada audit --json` prints the same items; `kada status <person>` is itself a read entry', async () => {
    const s = await knownStudent();
    await seedEntries(s.personlopenummer);
    const env = cliEnv();
    const status = await kada(env, 'status', s.brukernavn, '--json');
    expect(status.code).toBe(0);
    const out = await kada(env, 'audit', '--person', s.brukernavn, '--limit', '2', '--json');
    expect(out.code).toBe(0);
    const items = JSON.parse(out.out).items;
    expect(items).toEqual([
      expect.objectContaining({ action: 'read', person: s.personlopenummer, outcome: 'ok' }),
      expect.objectContaining({ action: 'rebuild', actor: 'ops@uio.no' }),
    ]);
    expect(items[0].actor).toMatch(/^cli:.+/);
    expect((await kada(env, 'audit', '--limit', '0')).code).toBe(2);
  });

  it('`kada diff`, `kada deletes --release/--drop` and an unknown person on the CLI are entries too', async () => {
    const s = await knownStudent();
    const env = cliEnv();
    expect((await kada(env, 'diff', s.brukernavn, '--json')).code).toBe(0);
    expect((await kada(env, 'diff', 'nobody-at-all', '--json')).code).toBe(1);
    await f.ctx.db.query(
      `INSERT INTO held_deletes (person_id, graph_event_id, mailbox, key) VALUES ('5001', 'g', 'a', 'k')`,
    );
    const released = await kada(env, 'deletes', '--release', '--json');
    expect(released.code).toBe(0);
    expect(JSON.parse(released.out)).toEqual({ action: 'release', deletes: 1, persons: 1, jobsQueued: 1 });
    expect((await kada(env, 'deletes', '--drop', '--json')).code).toBe(0);
    const rows = (await entries()).map(({ request_id, actor, ...e }) => {
      expect(actor).toMatch(/^cli:.+/);
      return e;
    });
    expect(rows).toEqual([
      { action: 'diff', person: s.personlopenummer, outcome: 'ok' },
      { action: 'diff', person: 'nobody-at-all', outcome: 'error' },
      { action: 'release-deletes', person: '5001', outcome: 'ok' },
      { action: 'drop-deletes', person: '5001', outcome: 'ok' },
    ]);
  });
});

describe('audit trail: the table', () => {
  it('is append-only: only a person reduced to the keyed hash changes; no entry under a day old goes', async () => {
    await writeAudit(f.ctx.db, { actor: 'token', action: 'read', person: '5001', outcome: 'ok' });
    await expect(f.ctx.db.query(`UPDATE audit_log SET actor = 'someone-else'`)).rejects.toThrow(/append-only/);
    await expect(f.ctx.db.query(`UPDATE audit_log SET person = '5002'`)).rejects.toThrow(/append-only/);
    await expect(f.ctx.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await f.ctx.db.query(`UPDATE audit_log SET person = $1`, [pseudonym('k'.repeat(16), '5001')]);
    expect((await entries())[0]?.person).toMatch(/^p:[0-9a-f]{16}$/);
  });

  it('is pruned by retention after KADA_AUDIT_RETENTION_DAYS (365 by default)', async () => {
    await f.ctx.db.query(
      `INSERT INTO audit_log (at, actor, action, person, outcome) VALUES
         (now() - interval '400 days', 'token', 'read', '1', 'ok'),
         (now() - interval '100 days', 'token', 'read', '2', 'ok'),
         (now() - interval '1 hour', 'token', 'read', '3', 'ok')`,
    );
    const ctx = { dataSource: f.db.dataSource, logger: f.ctx.logger };
    expect(await pruneExpired(ctx, 30)).toMatchObject({ audit: 1 });
    expect((await entries()).map((e) => e.person)).toEqual(['2', '3']);
    expect(await pruneExpired(ctx, 30, { auditRetentionDays: 90 })).toMatchObject({ audit: 1 });
    expect((await entries()).map((e) => e.person)).toEqual(['3']);
  });

  it("keeps a gone person's entries when retention erases them, naming them by the keyed hash", async () => {
    await f.ctx.db.query(
      `INSERT INTO persons (person_id, status, gone_at) VALUES ('7007', 'gone', now() - interval '40 days')`,
    );
    await writeAudit(f.ctx.db, { actor: 'token', action: 'read', person: '7007', outcome: 'ok' });
    const ctx = { dataSource: f.db.dataSource, logger: f.ctx.logger };
    const r = await pruneExpired(ctx, 30, { pseudonymKey: f.ctx.config.logKey });
    expect(r).toMatchObject({ personsErased: 1, personRows: { audit_log: 1 } });
    expect((await entries()).map((e) => e.person)).toEqual([pseudonym(f.ctx.config.logKey, '7007')]);
  });
});

describe('admin request log', () => {
  it('logs a percent-encoded action path like any other (authenticated, route pattern, no person)', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination: sink, pseudonymKey: f.ctx.config.logKey });
    const logged = await buildAdminApp(
      { ...f.ctx, logger },
      { isReady: async () => ({ database: true, broker: true }) },
    );
    const s = await knownStudent();
    try {
      const url = `/%61pi/persons/${s.personlopenummer}/rebuil%64`;
      expect((await logged.inject({ method: 'POST', url })).statusCode).toBe(401);
      const res = await logged.inject({ method: 'POST', url, headers: auth });
      expect(res.statusCode).toBe(202);
      const read = await logged.inject({ method: 'GET', url: `/%61pi/persons/${s.brukernavn}`, headers: auth });
      expect(read.statusCode).toBe(200);
    } finally {
      await logged.close();
    }
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'admin request');
    expect(requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/persons/:person/rebuild', status: 401 }),
      expect.objectContaining({ method: 'POST', path: '/api/persons/:person/rebuild', action: 'rebuild', status: 202 }),
      expect.objectContaining({ method: 'GET', path: '/api/persons/:person', action: 'read', status: 200 }),
    ]);
    for (const l of lines) {
      expect(l).not.toContain(s.personlopenummer);
      expect(l).not.toContain(s.brukernavn);
    }
    expect((await entries()).map((e) => e.action)).toEqual(['rebuild', 'read']);
  });
});

/** The environment a CLI command of these tests needs: the fixture's database and source emulators. */
function cliEnv(): Record<string, string> {
  return {
    DATABASE_URL: f.db.url,
    AMQP_URL: 'amqp://127.0.0.1:5672',
    TP_BASE_URL: f.sources.tpBaseUrl,
    TP_API_KEY: TP_KEY,
    FS_BASE_URL: f.sources.fsBaseUrl,
    FS_API_KEY: FS_KEY,
    AZURE_TENANT_ID: 'tenant',
    AZURE_CLIENT_ID: 'client',
    AZURE_CLIENT_SECRET: 'client-secret-never-shown',
    KADA_INSTITUTION: 'uio',
    KADA_SEMESTERS: '26h',
  };
}

/** Runs `kada <args>` in-process with `env` added to the environment, and captures what it prints. */
async function kada(env: Record<string, string>, ...args: string[]) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let out = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(args);
    process.exitCode = undefined;
    return { code, out };
  } finally {
    o.mockRestore();
    e.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
