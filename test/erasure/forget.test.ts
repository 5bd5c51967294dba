import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/admin/server';
import { personJobHandler } from '../../src/app/jobHandler';
import { OWNER_PROP } from '../../src/domain/markers';
import { createTokenProvider } from '../../src/graph/auth';
import { createGraphClient } from '../../src/graph/graphClient';
import { GraphWriter } from '../../src/graph/writer';
import { storeNotification } from '../../src/intake/inboxStore';
import { parseNotification } from '../../src/intake/parseNotification';
import { enqueuePerson } from '../../src/jobs/enqueue';
import { recentJobs } from '../../src/jobs/jobStatus';
import { runJobNow } from '../../src/jobs/runJobNow';
import { PRIORITY } from '../../src/jobs/types';
import { userInfo } from 'node:os';
import { pseudonym } from '../../src/log/pseudonym';
import { writeAudit } from '../../src/store/audit';
import { recordError } from '../../src/store/errors';
import { setOptOut } from '../../src/store/persons';
import { isTransient } from '../../src/sync/errors';
import { syncPerson } from '../../src/sync/syncPerson';
import { ADMIN_TOKEN, type Harness, startHarness } from '../../testkit/support/harness';
import { scanDatabase } from './scanDatabase';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** issue 15 item 4: `kada forget` and DELETE /api/persons/{person} leave nothing of the person behind. */
describe('forget', () => {
  let h: Harness;
  let app: FastifyInstance;
  beforeAll(async () => {
    h = await startHarness({ seed: 15, students: 60 });
    app = await buildAdminApp(h.ctx, { isReady: async () => ({ database: true, broker: true }) });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const kadaEvents = (mailbox: string) =>
    h.microsoft.graph.events(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');
  const count = async (sql: string, params: unknown[] = []) => (await h.ctx.db.query(sql, params))[0].n as number;

  /** Every table gets rows naming the person, as a real installation's would after a while. */
  async function seed(p: { personlopenummer: string; brukernavn: string; epost: string | null }) {
    const id = p.personlopenummer;
    const jobId = await enqueuePerson(h.ctx.db, id, { reason: 'fs notification', priority: PRIORITY.notification });
    const job = await runJobNow(h.ctx.db, jobId, { handler: personJobHandler(h.ctx), isTransient });
    expect(job.state).toBe('done');
    // a first sync leaves the weeks after the next 14 days to a job of their own (the order of work)
    for (const rest of await recentJobs(h.ctx.db, { personId: id, state: 'queued' })) {
      const later = await runJobNow(h.ctx.db, rest.id, { handler: personJobHandler(h.ctx), isTransient });
      expect(later.state).toBe('done');
    }
    const mailbox = p.epost!;
    await recordError(h.ctx.db, {
      kind: 'graph',
      code: 'GRAPH_CREATE_FAILED',
      message: `create of x in ${mailbox} failed: 503`,
      personId: id,
      jobId,
    });
    await recordError(h.ctx.db, {
      kind: 'dead_letter',
      code: 'NOTIFICATION_INVALID',
      message: 'notification dead-lettered: bad iat',
      details: { bodyPreview: JSON.stringify({ sub: `personer/${id}`, iat: 'x' }) },
    });
    const body = { jti: randomUUID(), sub: `undervisningsmeldinger/${id}`, iss: 'FS-prod', person_id: id };
    const parsed = parseNotification(
      'no.uio.fs.FS-prod.undervisningsmeldinger.update',
      Buffer.from(JSON.stringify(body)),
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    await storeNotification(h.ctx.db, parsed.notification, 'no.uio.fs.FS-prod.undervisningsmeldinger.update');
    await h.ctx.db.query(`INSERT INTO reconcile_runs (last_person_id, persons_done) VALUES ($1, 3)`, [id]);
    await enqueuePerson(h.ctx.db, id, { reason: 'fs notification' });
    // A kada event whose record was lost (a crash between the write and its record): only the read-back finds it.
    await h.ctx.db.query(
      `DELETE FROM synced_events WHERE (person_id, event_key) IN
         (SELECT person_id, event_key FROM synced_events WHERE person_id = $1 LIMIT 1)`,
      [id],
    );
    // Audit entries: an admin read them (by e-mail), and a look-up by username that matched no one then.
    const read = await app.inject({ method: 'GET', url: `/api/persons/${encodeURIComponent(mailbox)}`, headers: auth });
    expect(read.statusCode).toBe(200);
    await writeAudit(h.ctx.db, { actor: 'token', action: 'diff', person: p.brukernavn, outcome: 'error' });
    const own = h.microsoft.graph.addUserEvent(mailbox, { subject: 'Tannlege' });
    return { mailbox, own };
  }

  /** What must stay: other persons' rows and events. */
  async function snapshotOthers(ids: string[]) {
    const out: Record<string, { rows: number; events: number; person: number }> = {};
    for (const id of ids) {
      const p = h.institution.person(id)!;
      out[id] = {
        rows: await count(`SELECT count(*)::int AS n FROM synced_events WHERE person_id = $1`, [id]),
        person: await count(`SELECT count(*)::int AS n FROM persons WHERE person_id = $1`, [id]),
        events: kadaEvents(p.epost!).length,
      };
    }
    return out;
  }

  it('DELETE /api/persons/{person} removes their kada events, then every row naming them', async () => {
    const course = h.institution.courses('26h')[0]!.ref;
    const group = h.institution.courseEvents(course)!.find((e) => !e.status_plenary)!.actid;
    const p = h.institution.addPerson({ fornavn: 'Xenophon', etternavn: 'Quackenbush' });
    h.institution.setRegistration(p.personlopenummer, course, [group]);
    const others = h.institution
      .registrationsOfCourse(course)
      .map((r) => r.personlopenummer)
      .filter((id) => id !== p.personlopenummer && h.institution.person(id)?.epost)
      .slice(0, 2);
    for (const id of others) await syncPerson(h.ctx, id);
    const { mailbox, own } = await seed(p);
    const before = kadaEvents(mailbox).length;
    expect(before).toBeGreaterThan(1);
    const othersBefore = await snapshotOthers(others);
    const terms = [p.personlopenummer, p.brukernavn, p.epost!, p.fornavn, p.etternavn];
    // The scan sees the person everywhere before: every table the erase must reach.
    const seen = new Set((await scanDatabase(h.ctx.db, terms)).map((x) => x.table));
    expect([...seen].sort()).toEqual(
      expect.arrayContaining(['errors', 'inbox', 'jobs', 'mailboxes', 'persons', 'reconcile_runs', 'synced_events']),
    );

    const res = await app.inject({
      method: 'DELETE',
      url: `/api/persons/${encodeURIComponent(p.epost!)}`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    const receipt = res.json();
    expect(receipt).toMatchObject({
      personId: p.personlopenummer,
      calendar: { eventsDeleted: before, mailboxes: 1 },
      // jobs: the first sync's two passes (next 14 days, later weeks) and the one queued after
      rows: { persons: 1, jobs: 3, errors: 2, inbox: 1, mailboxes: 1, reconcile_runs: 1 },
    });
    expect(receipt.rows.synced_events).toBe(before - 1);
    // Their audit entries stay, naming them by the keyed hash alone; the forget itself is one of them.
    const hashed = pseudonym(h.ctx.config.logKey, p.personlopenummer);
    expect(receipt.rows.audit_log).toBe(2);
    const audit = await h.ctx.db.query(`SELECT actor, action, outcome FROM audit_log WHERE person = $1 ORDER BY id`, [
      hashed,
    ]);
    expect(audit).toEqual([
      { actor: 'token', action: 'read', outcome: 'ok' },
      { actor: 'token', action: 'diff', outcome: 'error' },
      { actor: 'token', action: 'forget', outcome: 'ok' },
    ]);

    expect(kadaEvents(mailbox)).toEqual([]);
    expect(h.microsoft.graph.event(mailbox, own.id)?.subject).toBe('Tannlege');
    expect(await scanDatabase(h.ctx.db, terms)).toEqual([]);
    expect(await snapshotOthers(others)).toEqual(othersBefore);
    // The resumed reconcile walk goes on where it would have.
    expect(
      await count(`SELECT count(*)::int AS n FROM reconcile_runs WHERE last_person_id = $1`, [p.personlopenummer]),
    ).toBe(0);

    const again = await app.inject({ method: 'DELETE', url: `/api/persons/${p.personlopenummer}`, headers: auth });
    // FS still lists them, so they resolve; there is nothing left to remove.
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ calendar: { eventsDeleted: 0 }, total: 0, optOutKept: false });
  });

  it('`kada forget --json` erases a lecturer, their TP staff caches included, and leaves students alone', async () => {
    const lecturer = h.institution.aLecturer(1);
    const course = h.institution
      .courses('26h')
      .find((c) =>
        h.institution.rolesOfCourse(c.ref).some((r) => r.personlopenummer === lecturer.personlopenummer),
      )!.ref;
    const student = h.institution
      .registrationsOfCourse(course)
      .map((r) => h.institution.person(r.personlopenummer)!)
      .find((s) => s.epost)!;
    await syncPerson(h.ctx, student.personlopenummer);
    const { mailbox } = await seed(lecturer);
    expect(
      await count(`SELECT count(*)::int AS n FROM tp_courses WHERE $1 = ANY(staff_usernames)`, [lecturer.brukernavn]),
    ).toBeGreaterThan(0);
    const studentBefore = await snapshotOthers([student.personlopenummer]);
    const ids = [lecturer.personlopenummer, lecturer.brukernavn, lecturer.epost!];
    expect((await scanDatabase(h.ctx.db, ids)).map((x) => x.table)).toContain('tp_courses');

    const { stdout } = await run('node', [cli, 'forget', lecturer.brukernavn, '--json'], { env: h.env });
    const receipt = JSON.parse(stdout);
    expect(receipt.personId).toBe(lecturer.personlopenummer);
    expect(receipt.rows.tp_courses).toBeGreaterThan(0);
    const [entry] = await h.ctx.db.query(`SELECT * FROM audit_log WHERE action = 'forget' ORDER BY id DESC LIMIT 1`);
    expect(entry).toMatchObject({
      actor: `cli:${userInfo().username}`,
      person: pseudonym(h.ctx.config.logKey, lecturer.personlopenummer),
      outcome: 'ok',
    });
    expect(kadaEvents(mailbox)).toEqual([]);
    // Names are shared by other synthetic persons, so only what identifies the lecturer alone is scanned for.
    expect(await scanDatabase(h.ctx.db, ids)).toEqual([]);
    expect(await snapshotOthers([student.personlopenummer])).toEqual(studentBefore);
    // The student's next sync reads the course from TP again and changes nothing in their calendar.
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.written).toEqual({ creates: 0, updates: 0, deletes: 0 });
  });

  it('erases nothing when Graph does not take the deletes, and says so', async () => {
    const p = h.institution.aStudent(5);
    const { mailbox } = await seed(p);
    const before = kadaEvents(mailbox).length;
    const writer = new GraphWriter({
      client: createGraphClient(h.config.graph, createTokenProvider(h.config.graph)),
      maxAttempts: 2,
      backoff: { baseMs: 1, capMs: 5 },
    });
    const failing = await buildAdminApp(
      { ...h.ctx, writer },
      { isReady: async () => ({ database: true, broker: true }) },
    );
    try {
      // kada deletes its own events permanently (a POST .../permanentDelete, graph.md).
      h.microsoft.graph.failNext('500', 10_000, { method: 'POST', pathIncludes: 'permanentDelete' });
      const res = await failing.inject({
        method: 'DELETE',
        url: `/api/persons/${p.personlopenummer}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ error: 'calendar_removal_failed' });
      expect(res.json().message).toMatch(/nothing was erased/);
    } finally {
      h.microsoft.graph.clearFaults();
      await failing.close();
    }
    expect(await count(`SELECT count(*)::int AS n FROM persons WHERE person_id = $1`, [p.personlopenummer])).toBe(1);
    expect(
      await count(`SELECT count(*)::int AS n FROM synced_events WHERE person_id = $1`, [p.personlopenummer]),
    ).toBeGreaterThan(0);
    expect(kadaEvents(mailbox).length).toBe(before);
    // The claim is released: a retry goes through.
    const res = await app.inject({ method: 'DELETE', url: `/api/persons/${p.personlopenummer}`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(kadaEvents(mailbox)).toEqual([]);
  });

  it('keeps an opt-out as the bare number, so the person is not synced again', async () => {
    const p = h.institution.aStudent(8);
    const { mailbox } = await seed(p);
    await setOptOut(h.ctx.db, p.personlopenummer, true);
    const res = await app.inject({ method: 'DELETE', url: `/api/persons/${p.brukernavn}`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ optOutKept: true, rows: { persons: 1 } });
    expect(kadaEvents(mailbox)).toEqual([]);
    const rows = await h.ctx.db.query(`SELECT * FROM persons WHERE person_id = $1`, [p.personlopenummer]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ opted_out: true, username: null, email: null, mailbox: null, first_name: null });
    const hits = await scanDatabase(h.ctx.db, [p.personlopenummer, p.brukernavn, p.epost!]);
    expect(hits).toEqual([{ table: 'persons', column: 'person_id', term: p.personlopenummer, rows: 1 }]);
    expect((await syncPerson(h.ctx, p.personlopenummer, { dryRun: true })).outcome).toBe('opted_out');
  });

  it('answers 404 for a person nobody knows', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/persons/nobody-here', headers: auth });
    expect(res.statusCode).toBe(404);
  });
});
