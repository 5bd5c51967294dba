import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { freePort } from './kadaProcess';

/**
 * PostgreSQL and RabbitMQ servers of a test's own, speaking TLS with a certificate that a CA made
 * for the test signs (host name `localhost` only, so `127.0.0.1` is a wrong host name). They run
 * beside the shared services on free ports with their data under the given folder, and are stopped
 * by the test. Not used by kada itself.
 */

const run = promisify(execFile);

export interface TestCa {
  dir: string;
  /** The CA that signs the servers' certificate. */
  ca: string;
  /** Another CA, which signs nothing the servers present. */
  wrongCa: string;
  cert: string;
  key: string;
}

export async function makeTestCa(dir: string): Promise<TestCa> {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => path.join(dir, n);
  const selfSigned = (name: string, cn: string) =>
    run(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`].concat([
        '-keyout',
        f(`${name}.key`),
        '-out',
        f(`${name}.pem`),
      ]),
    );
  await selfSigned('ca', 'kada test CA');
  await selfSigned('wrong-ca', 'kada test CA');
  await run(
    'openssl',
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost'].concat([
      '-keyout',
      f('server.key'),
      '-out',
      f('server.csr'),
    ]),
  );
  writeFileSync(
    f('server.ext'),
    'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  await run(
    'openssl',
    ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key')].concat([
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f('server.ext'),
      '-out',
      f('server.pem'),
    ]),
  );
  return { dir, ca: f('ca.pem'), wrongCa: f('wrong-ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

const isRoot = () => userInfo().uid === 0;

/** PostgreSQL refuses to run as root: as root, its commands run as the postgres user. */
function asPostgres(cmd: string) {
  return isRoot() ? run('su', ['postgres', '-s', '/bin/sh', '-c', cmd]) : run('sh', ['-c', cmd]);
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const version = readdirSync(base).sort().at(-1);
  return path.join(base, version!, 'bin');
}

export interface TestServer {
  port: number;
  stop(): Promise<void>;
}

/** A PostgreSQL 15 with ssl=on, trust authentication for user `kada`, database `kada`. */
export async function startTlsPostgres(dir: string, ca: TestCa): Promise<TestServer> {
  mkdirSync(dir, { recursive: true });
  const data = path.join(dir, 'pg');
  const port = await freePort();
  if (isRoot()) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    chownSync(dir, uid, -1);
    // the server reads its key as itself, and wants it private
    for (const f of [ca.cert, ca.key]) chownSync(f, uid, -1);
  }
  chmodSync(ca.key, 0o600);
  const bin = pgBin();
  await asPostgres(`'${bin}/initdb' -D '${data}' -U kada -A trust -E UTF8 --locale=C.UTF-8 >/dev/null`);
  writeFileSync(
    path.join(data, 'postgresql.conf'),
    [
      `listen_addresses = 'localhost'`,
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      `ssl_cert_file = '${ca.cert}'`,
      `ssl_key_file = '${ca.key}'`,
      'max_connections = 20',
      'shared_buffers = 16MB',
      '',
    ].join('\n'),
    { flag: 'a' },
  );
  await asPostgres(`'${bin}/pg_ctl' -D '${data}' -l '${dir}/pg.log' -w -t 60 start >/dev/null`);
  await asPostgres(`'${bin}/psql' -h '${dir}' -p ${port} -U kada -d postgres -qc 'CREATE DATABASE kada' >/dev/null`);
  return {
    port,
    async stop() {
      await asPostgres(`'${bin}/pg_ctl' -D '${data}' -m immediate -w stop >/dev/null`).catch(() => undefined);
    },
  };
}

/**
 * A RabbitMQ node of its own (nodename, ports, epmd, mnesia under `dir`) with only a TLS listener.
 * Its start takes 10-30 s on a busy machine.
 */
export async function startTlsRabbit(dir: string, ca: TestCa): Promise<TestServer> {
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(path.join(dir, 'home'), { recursive: true });
  const conf = path.join(dir, 'rabbitmq');
  writeFileSync(
    `${conf}.conf`,
    [
      'loopback_users = none',
      'listeners.tcp = none',
      `listeners.ssl.default = ${port}`,
      `ssl_options.cacertfile = ${ca.ca}`,
      `ssl_options.certfile = ${ca.cert}`,
      `ssl_options.keyfile = ${ca.key}`,
      'ssl_options.verify = verify_none',
      'ssl_options.fail_if_no_peer_cert = false',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'enabled_plugins'), '[].');
  const env = {
    ...process.env,
    HOME: path.join(dir, 'home'),
    RABBITMQ_NODENAME: `kadatls${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_PID_FILE: path.join(dir, 'rabbit.pid'),
    RABBITMQ_CONFIG_FILE: conf,
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
  };
  const child: ChildProcess = spawn('/usr/lib/rabbitmq/bin/rabbitmq-server', [], {
    env,
    stdio: 'ignore',
    detached: true,
  });
  const stop = async () => {
    await run('/usr/lib/rabbitmq/bin/rabbitmqctl', ['-q', 'stop'], { env }).catch(() => undefined);
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    // the epmd this node started on its own port
    await run('epmd', ['-kill'], { env }).catch(() => undefined);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await amqp.connect(`amqps://guest:guest@localhost:${port}`, { ca: [await readText(ca.ca)] }).then(
      (c) => c.close().then(() => true),
      () => false,
    );
    if (ok) return { port, stop };
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`RabbitMQ with TLS did not start; see ${path.join(dir, 'log')}`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

async function readText(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(file, 'utf8');
}
