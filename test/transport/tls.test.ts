import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/db/dataSource';
import { postgresConnection } from '../../src/db/postgresTls';
import { amqpSocketOptions } from '../../src/intake/amqpTls';
import { NotificationConsumer } from '../../src/intake/consumer';
import { silentLogger } from '../../src/log/logger';
import { CLI } from '../../testkit/support/kadaProcess';
import {
  makeTestCa,
  startTlsPostgres,
  startTlsRabbit,
  type TestCa,
  type TestServer,
} from '../../testkit/support/tlsServers';

/**
 * TLS to PostgreSQL and RabbitMQ against servers of the test's own, with a CA the test makes:
 * verify-full connects with the right CA and refuses a wrong CA or a wrong host name.
 */
const run = promisify(execFile);
// Under the system temp folder, not the checkout: the postgres user must be able to enter every folder above
// its data directory, and a clone in a private (0700) folder would refuse it (scripts/services.sh does the same).
const dir = path.join(os.tmpdir(), `kada-tls-${randomBytes(4).toString('hex')}`);
let ca: TestCa;
let pg: TestServer | undefined;
let rabbit: TestServer | undefined;

beforeAll(async () => {
  ca = await makeTestCa(path.join(dir, 'ca'));
  [pg, rabbit] = await Promise.all([
    startTlsPostgres(path.join(dir, 'pgsrv'), ca),
    startTlsRabbit(path.join(dir, 'rabbit'), ca),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([pg?.stop(), rabbit?.stop()]);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const pgUrl = (host: string, query: string) => `postgres://kada@${host}:${pg!.port}/kada?${query}`;

/** Connects as kada does and says whether the session is encrypted. */
async function sessionSsl(url: string, env: Record<string, string> = {}): Promise<boolean> {
  const c = new Client(postgresConnection(url, env));
  await c.connect();
  try {
    const [row] = (await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows;
    return row.ssl;
  } finally {
    await c.end();
  }
}

describe('PostgreSQL over TLS', () => {
  it('verify-full connects with the right CA, from sslrootcert or PGSSLROOTCERT', async () => {
    expect(await sessionSsl(pgUrl('localhost', `sslmode=verify-full&sslrootcert=${ca.ca}`))).toBe(true);
    expect(await sessionSsl(pgUrl('localhost', 'sslmode=verify-full'), { PGSSLROOTCERT: ca.ca })).toBe(true);
    expect(await sessionSsl(pgUrl('localhost', ''), { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca.ca })).toBe(true);
  });

  it('verify-full refuses a wrong CA, and Node’s own CAs', async () => {
    await expect(sessionSsl(pgUrl('localhost', `sslmode=verify-full&sslrootcert=${ca.wrongCa}`))).rejects.toThrow(
      /self-signed|unable to verify|certificate/i,
    );
    await expect(sessionSsl(pgUrl('localhost', 'sslmode=verify-full&sslrootcert=system'))).rejects.toThrow(
      /self-signed|unable to verify|certificate/i,
    );
  });

  it('verify-full refuses a host name the certificate does not name; verify-ca accepts it', async () => {
    await expect(sessionSsl(pgUrl('127.0.0.1', `sslmode=verify-full&sslrootcert=${ca.ca}`))).rejects.toThrow(
      /altnames|does not match/i,
    );
    expect(await sessionSsl(pgUrl('127.0.0.1', `sslmode=verify-ca&sslrootcert=${ca.ca}`))).toBe(true);
    await expect(sessionSsl(pgUrl('127.0.0.1', `sslmode=verify-ca&sslrootcert=${ca.wrongCa}`))).rejects.toThrow(
      /self-signed|unable to verify|certificate/i,
    );
  });

  it('require encrypts without checking; disable does not encrypt', async () => {
    expect(await sessionSsl(pgUrl('127.0.0.1', 'sslmode=require'))).toBe(true);
    expect(await sessionSsl(pgUrl('localhost', 'sslmode=disable'))).toBe(false);
  });

  it('the TypeORM pool and `kada migrate` use it', async () => {
    const url = pgUrl('localhost', `sslmode=verify-full&sslrootcert=${ca.ca}`);
    const ds = createDataSource(url, { poolSize: 1 });
    await ds.initialize();
    const [row] = await ds.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    await ds.destroy();
    expect(row.ssl).toBe(true);

    const env = { ...process.env, DATABASE_URL: url };
    const ok = await run(process.execPath, [CLI, 'migrate', '--json'], { env });
    expect(JSON.parse(ok.stdout).applied.length).toBeGreaterThan(0);
    const bad = await run(process.execPath, [CLI, 'migrate'], {
      env: { ...env, DATABASE_URL: pgUrl('localhost', `sslmode=verify-full&sslrootcert=${ca.wrongCa}`) },
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad?.code).toBe(1);
    expect(bad?.stderr).toMatch(/certificate/i);
  });
});

describe('RabbitMQ over TLS (amqps:)', () => {
  const url = (host: string) => `amqps://guest:guest@${host}:${rabbit!.port}`;
  const tryConnect = (u: string, caFile?: string) =>
    amqp.connect(u, amqpSocketOptions({ url: u, caFile })).then((c) => c.close().then(() => 'connected'));

  it('connects with the CA from AMQP_CA_FILE and refuses a wrong CA or host name', async () => {
    expect(await tryConnect(url('localhost'), ca.ca)).toBe('connected');
    await expect(tryConnect(url('localhost'), ca.wrongCa)).rejects.toThrow(/self-signed|unable to verify|certificate/i);
    await expect(tryConnect(url('localhost'))).rejects.toThrow(/self-signed|unable to verify|certificate/i);
    await expect(tryConnect(url('127.0.0.1'), ca.ca)).rejects.toThrow(/altnames|does not match/i);
  });

  it('connects with the CA from NODE_EXTRA_CA_CERTS', async () => {
    const script = `require('amqplib').connect(${JSON.stringify(url('localhost'))}).then(c => c.close()).then(
      () => process.exit(0), (e) => { console.error(e.message); process.exit(1); })`;
    const ok = await run(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.ca },
      cwd: path.resolve(__dirname, '../..'),
    });
    expect(ok.stderr).toBe('');
  });

  it("kada's consumer connects through its socket options", async () => {
    const consumer = new NotificationConsumer({
      url: url('localhost'),
      queue: `kada_tls_${randomBytes(3).toString('hex')}`,
      bindings: [{ exchange: 'ex_fs', pattern: 'no.test.fs.#' }],
      prefetch: 1,
      db: { query: async () => [] },
      logger: silentLogger,
      socketOptions: amqpSocketOptions({ url: url('localhost'), caFile: ca.ca }),
      reconnectDelayMs: { initial: 50, max: 200 },
    });
    consumer.start();
    try {
      const deadline = Date.now() + 20_000;
      while (!consumer.isConnected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(consumer.isConnected()).toBe(true);
    } finally {
      await consumer.stop();
    }
  });
});
