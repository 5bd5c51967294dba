import { execFile } from 'node:child_process';
import path from 'node:path';
import amqp from 'amqplib';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/runDoctor';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';
import { startHarness, type Harness } from '../../testkit/support/harness';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** `kada doctor` against the emulators and the local PostgreSQL and RabbitMQ. */
describe('kada doctor', () => {
  let h: Harness;
  let bare: TestDatabase;
  beforeAll(async () => {
    h = await startHarness({
      seed: 3,
      students: 10,
      noContext: true,
      env: { AMQP_QUEUE: `kada_doctor_${process.pid}` },
    });
    bare = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    // The doctor declares kada's queue as `kada run` would: remove this file's from the shared broker.
    const conn = await amqp.connect(h.env.AMQP_URL!);
    const ch = await conn.createChannel();
    await ch.deleteQueue(h.env.AMQP_QUEUE!);
    await ch.deleteQueue(`${h.env.AMQP_QUEUE}.dead`);
    await conn.close();
    await bare?.drop();
    await h?.close();
  });

  const line = (r: Awaited<ReturnType<typeof runDoctor>>, check: string) => r.checks.find((c) => c.check === check);

  it('is green against the emulators and local services, and exits 0', async () => {
    const { stdout } = await run('node', [cli, 'doctor'], { env: { ...process.env, ...h.env } });
    for (const check of ['configuration', 'database', 'broker', 'TP', 'FS', 'Graph token'])
      expect(stdout).toMatch(new RegExp(`^✓ ${check}`, 'm'));
    expect(stdout).toContain('all required checks passed');
    expect(stdout).not.toContain('\u001b['); // no colour when not at a terminal
  });

  it('--mailbox makes a round trip that leaves the mailbox as it was', async () => {
    const mailbox = h.institution.students().find((s) => s.epost)!.epost!;
    const own = h.microsoft.graph.addUserEvent(mailbox, {
      subject: 'Tannlege',
      start: { dateTime: '2026-09-01T10:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-09-01T11:00:00', timeZone: 'W. Europe Standard Time' },
    });
    const before = h.microsoft.graph.events(mailbox);
    const { stdout } = await run('node', [cli, 'doctor', '--mailbox', mailbox, '--json'], {
      env: { ...process.env, ...h.env },
    });
    const r = JSON.parse(stdout);
    expect(r.ok).toBe(true);
    for (const check of ['mailbox write', 'time zone', 'mailbox read-back', 'mailbox delete'])
      expect(r.checks.find((c: { check: string }) => c.check === check)).toMatchObject({ ok: true });
    expect(r.checks.find((c: { check: string }) => c.check === 'time zone').detail).toContain(
      'W. Europe Standard Time',
    );
    // permanentDelete proper (no DELETE fallback): nothing is left in Deleted Items either.
    expect(r.checks.find((c: { check: string }) => c.check === 'mailbox delete').detail).toContain(
      'deleted permanently (permanentDelete)',
    );
    expect(h.microsoft.graph.deletedItems(mailbox)).toEqual([]);
    // The emulator's token holds both permissions by default: the colour step is reported, and optional.
    expect(r.checks.find((c: { check: string }) => c.check === 'category colour')).toMatchObject({
      ok: true,
      required: false,
    });
    expect(h.microsoft.graph.events(mailbox)).toEqual(before);
    expect(h.microsoft.graph.events(mailbox).map((e) => e.id)).toEqual([own.id]);
  });

  it('says "API key refused" for a wrong TP key, and exits 1', async () => {
    const out = await run('node', [cli, 'doctor'], { env: { ...process.env, ...h.env, TP_API_KEY: 'wrong-key' } }).then(
      () => {
        throw new Error('expected exit 1');
      },
      (e: { code: number; stdout: string }) => e,
    );
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^✗ TP\s+API key refused \(401\)/m);
    expect(out.stdout).toContain('check TP_API_KEY');
    expect(out.stdout).toMatch(/^✓ FS/m);
  });

  it('is red for a broker that is not there', async () => {
    const r = await runDoctor({ ...h.env, AMQP_URL: 'amqp://guest:guest@127.0.0.1:9' });
    expect(r.ok).toBe(false);
    expect(line(r, 'broker')).toMatchObject({ ok: false, detail: expect.stringContaining('RabbitMQ unreachable') });
    expect(line(r, 'broker')!.fix).toContain('AMQP_URL');
    expect(line(r, 'database')!.ok).toBe(true);
  });

  it('is red for a database without migrations, and says to run kada migrate', async () => {
    const r = await runDoctor({ ...h.env, DATABASE_URL: bare.url });
    expect(line(r, 'database')).toMatchObject({ ok: false, fix: 'run `kada migrate`' });
    expect(line(r, 'database')!.detail).toContain('Initial1764115200000');
  });

  it('is red for a bad Graph secret, and does not try the mailbox', async () => {
    const r = await runDoctor({ ...h.env, AZURE_CLIENT_SECRET: 'not-the-secret' }, { mailbox: 'x@uio.no' });
    expect(line(r, 'Graph token')).toMatchObject({ ok: false, fix: expect.stringContaining('AZURE_CLIENT_SECRET') });
    expect(line(r, 'mailbox write')).toMatchObject({ ok: false, detail: 'not checked: no Graph token' });
  });

  it('is red for an invalid configuration and names the variable', async () => {
    const r = await runDoctor({ ...h.env, KADA_TIMEZONE: 'Antarctica/Troll' });
    expect(r.ok).toBe(false);
    expect(line(r, 'configuration')!.detail).toContain('KADA_TIMEZONE has no Windows time-zone name');
  });
});
