import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../testkit/graph/graphEmulator';
import { generateInstitution, type Institution } from '../../testkit/institution/institution';
import { startSourceEmulator, type SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { CLI, killHard, startKada, stopGracefully, type KadaChild } from '../../testkit/support/kadaProcess';
import { createAmqpFixture, eventually, type AmqpFixture } from '../intake/amqpFixture';
import { fsPersonMessage, tpCourseMessage } from '../planner/plannerFixture';
import { baseDatabaseUrl, createTestDatabase, type TestDatabase } from '../../testkit/support/db';

/**
 * No configured secret leaves kada: a `kada run` child (and the CLI) run with distinctive secret
 * values (Graph client secret, TP and FS API keys, admin and metrics tokens, a database password of
 * a role made for this test) while things go wrong (wrong tokens, FS and TP 500s, Graph 500 and
 * 401, a refused client secret, a wrong database password, a bad configuration). Everything they
 * print, every /api answer, /metrics and the admin page are searched for every secret.
 */

const run = promisify(execFile);
const tag = randomBytes(3).toString('hex');
const SECRETS = {
  clientSecret: `azSecret~Q7xK9pL2mN4vB8wR${tag}`,
  wrongClientSecret: `azWrong~T5yU8iO1pA4sD7fG${tag}`,
  tpKey: `tpKey-Z3cV6bN9mQ2wE5rT${tag}`,
  fsKey: `fsKey-H8jK1lP4oI7uY0tR${tag}`,
  wrongFsKey: `fsWrong-X1cV4bN7mK0jH3gF${tag}`,
  adminToken: `adminTok-W2eR5tY8uI1oP4aS7dF${tag}`,
  metricsToken: `metricsTok-G6hJ9kL2zX5cV8bN1m${tag}`,
  dbPassword: `pgPass-M3nB6vC9xZ2aS5dF${tag}`,
  wrongDbPassword: `pgWrong-J4kL7zX0cV3bN6mQ${tag}`,
};
const role = `kada_sec_${tag}`;

let inst: Institution;
let sources: SourceEmulator;
let ms: MicrosoftEmulator;
let db: TestDatabase;
let fx: AmqpFixture;
let env: Record<string, string>;
const children: KadaChild[] = [];
/** Everything kada said, to be searched at the end. */
const seen: { where: string; text: string }[] = [];

function dbUrl(password: string): string {
  const u = new URL(db.url);
  u.username = role;
  u.password = password;
  return u.toString();
}

async function asAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const u = new URL(baseDatabaseUrl());
  u.pathname = '/postgres';
  const c = new Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  inst = generateInstitution({ seed: 41, students: 20, semesters: ['26h'] });
  sources = await startSourceEmulator({ institution: inst, tpApiKey: SECRETS.tpKey, fsApiKey: SECRETS.fsKey });
  ms = await startMicrosoftEmulator({ latencyMs: 0, clientSecret: SECRETS.clientSecret });
  db = await createTestDatabase();
  // A role of its own with a password, so the database password is a secret only this test knows.
  await asAdmin((c) => c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${SECRETS.dbPassword}'`));
  await db.dataSource.query(
    `GRANT USAGE ON SCHEMA public TO ${role}; GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}; GRANT ALL ON ALL
       SEQUENCES IN SCHEMA public TO ${role}`,
  );
  fx = await createAmqpFixture('secrets');
  env = {
    DATABASE_URL: dbUrl(SECRETS.dbPassword),
    AMQP_URL: fx.url,
    AMQP_QUEUE: fx.queue,
    AMQP_BINDINGS: fx.bindings.map((b) => `${b.exchange}:${b.pattern}`).join(','),
    TP_BASE_URL: sources.tpBaseUrl,
    TP_API_KEY: SECRETS.tpKey,
    FS_BASE_URL: sources.fsBaseUrl,
    FS_API_KEY: SECRETS.fsKey,
    KADA_INSTITUTION: 'uio',
    KADA_SEMESTERS: '26h',
    ADMIN_TOKEN: SECRETS.adminToken,
    METRICS_TOKEN: SECRETS.metricsToken,
    // Everything kada might say, it says at debug.
    LOG_LEVEL: 'debug',
    KADA_WORKERS: '2',
    KADA_JOB_MAX_ATTEMPTS: '2',
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS!,
    ...ms.env(),
  };
});

afterAll(async () => {
  for (const c of children) await killHard(c).catch(() => undefined);
  await fx?.close();
  await Promise.all([sources?.close(), ms?.close()]);
  await db?.dataSource.query(`DROP OWNED BY ${role}`).catch(() => undefined);
  await db?.drop();
  await asAdmin((c) => c.query(`DROP ROLE IF EXISTS ${role}`)).catch(() => undefined);
});

async function kada(extra: Record<string, string> = {}): Promise<KadaChild> {
  const p = await startKada(env, extra);
  children.push(p);
  return p;
}

/** An HTTP answer, remembered whole (status, headers, body) for the search at the end. */
async function call(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, init);
  const text = await res.clone().text();
  const headers: string[] = [];
  res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
  seen.push({ where: `${init.method ?? 'GET'} ${url}`, text: `${res.status} ${headers.join('\n')} ${text}` });
  return res;
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Every secret, as written and as it would look URL-encoded or JSON-escaped. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(SECRETS)) {
    for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]))
      if (text.includes(form)) found.push(name);
  }
  return found;
}

describe('secrets never leave kada', () => {
  it('a running kada, its API, metrics and admin page, through wrong tokens and FS, TP, Graph failures', async () => {
    const p = await kada();
    await p.waitReady();
    const students = inst.students().filter((s) => s.epost && inst.timetableOf(s.personlopenummer, '26h').length);
    const [ok, fsDown, graphDown] = students;
    const admin = bearer(SECRETS.adminToken);

    // Wrong, missing and misplaced tokens.
    for (const init of [
      {},
      bearer('wrong-token-0123456789'),
      bearer(SECRETS.metricsToken),
      { headers: { authorization: SECRETS.adminToken } },
    ]) {
      expect((await call(`${p.url}/api/status`, init)).status).toBe(401);
    }
    expect((await call(`${p.url}/api/status?token=${SECRETS.adminToken}`)).status).toBe(401);
    expect((await call(`${p.url}/metrics`)).status).toBe(401);
    expect((await call(`${p.url}/metrics`, bearer(SECRETS.adminToken))).status).toBe(401);

    // A good sync, an FS outage for one person, Graph failing (500, then revoked tokens) for another, TP down.
    await fx.publish(
      fx.fsExchange,
      fsPersonMessage(ok!.personlopenummer).routingKey,
      fsPersonMessage(ok!.personlopenummer).body,
    );
    await eventually(
      async () =>
        (await call(`${p.url}/api/persons/${ok!.personlopenummer}`, admin).then((r) => r.json())).eventCount > 0,
      {
        what: 'the first sync',
        timeoutMs: 60_000,
      },
    );
    sources.setFaults({ fs: { status: 500, match: `/personer/${fsDown!.personlopenummer}` } });
    const fsMsg = fsPersonMessage(fsDown!.personlopenummer);
    await fx.publish(fx.fsExchange, fsMsg.routingKey, fsMsg.body);
    ms.graph.failNext('500', 6, { mailbox: graphDown!.epost! });
    // Revoked tokens: Graph answers 401, and the first new token request meets a 503.
    ms.token.expireTokens();
    ms.token.failNext('503', 1);
    const gMsg = fsPersonMessage(graphDown!.personlopenummer);
    await fx.publish(fx.fsExchange, gMsg.routingKey, gMsg.body);
    const course = inst.courses('26h')[0]!.ref;
    const tpMsg = tpCourseMessage(course);
    await fx.publish(fx.tpExchange, tpMsg.routingKey, tpMsg.body);
    await eventually(
      async () => {
        const rows: { person_id: string; last_error: string | null; state: string }[] = await db.dataSource.query(
          `SELECT person_id, last_error, state FROM jobs WHERE person_id = ANY($1)`,
          [[fsDown!.personlopenummer, graphDown!.personlopenummer]],
        );
        const fsFailed = rows.some(
          (r) => r.person_id === fsDown!.personlopenummer && /SOURCE_UNAVAILABLE/.test(r.last_error ?? ''),
        );
        const graphTried = rows.some(
          (r) => r.person_id === graphDown!.personlopenummer && (r.state === 'done' || r.last_error),
        );
        return fsFailed && graphTried;
      },
      { what: 'the FS and Graph failures to have been met', timeoutMs: 120_000 },
    );
    sources.setFaults({ tp: { status: 500 } });
    await fx.publish(fx.tpExchange, tpCourseMessage(course).routingKey, tpCourseMessage(course).body);
    await eventually(
      async () =>
        (await db.dataSource.query(`SELECT 1 FROM inbox WHERE state = 'failed' OR attempts > 0 AND state = 'pending'`))
          .length > 0,
      {
        what: 'the TP outage to be recorded',
        timeoutMs: 60_000,
      },
    );
    // FS down for the next two admin look-ups (5 attempts each), so their 502 answers are searched too.
    sources.setFaults({ fs: { status: 500, count: 10 } });

    // Every admin answer, good and bad, and the page.
    for (const path of [
      `/api/persons/${fsDown!.personlopenummer}/diff`,
      `/api/persons/${ok!.brukernavn}`,
      '/api/status',
      '/api/errors',
      '/api/errors?kind=dead_letter',
      `/api/persons/${ok!.personlopenummer}`,
      `/api/persons/${fsDown!.personlopenummer}`,
      `/api/persons/${graphDown!.personlopenummer}`,
      `/api/persons/${ok!.personlopenummer}/diff`,
      `/api/persons?q=${ok!.brukernavn}`,
      '/api/persons/nobody-by-that-name',
      '/api/persons/%00',
      '/api/jobs/1',
      '/api/jobs/999999',
      '/api/openapi.json',
    ]) {
      await call(`${p.url}${path}`, admin);
    }
    expect(
      (await call(`${p.url}/api/persons/${ok!.personlopenummer}/rebuild`, { method: 'POST', ...admin })).status,
    ).toBe(202);
    await call(`${p.url}/api/persons/${ok!.personlopenummer}/rebuild`, {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: '{bad json',
    });
    for (const path of ['/', '/app.js', '/app.css', '/healthz', '/readyz']) await call(`${p.url}${path}`);
    const metrics = await call(`${p.url}/metrics`, bearer(SECRETS.metricsToken));
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('kada_');

    // The CLI beside it, with the same environment.
    for (const args of [
      ['status', '--json'],
      ['status', ok!.personlopenummer],
      ['diff', fsDown!.personlopenummer],
      ['rebuild', 'nobody-by-that-name'],
    ]) {
      const r = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }).catch(
        (e: { stdout: string; stderr: string }) => e,
      );
      seen.push({ where: `kada ${args.join(' ')}`, text: `${r.stdout}${r.stderr}` });
    }
    sources.setFaults({});

    expect(await stopGracefully(p)).toBe(0);
    seen.push({ where: 'kada run (main)', text: p.output() });
    // The failures really happened, so their messages were there to be searched.
    expect(p.output()).toMatch(/SOURCE_UNAVAILABLE/);
    expect(ms.graph.stats().faults['500'] ?? 0).toBeGreaterThan(0);
    expect(ms.token.stats().faults['503']).toBe(1);
    expect(seen.filter((s) => leaks(s.text).length).map((s) => `${s.where}: ${leaks(s.text).join(', ')}`)).toEqual([]);
  }, 240_000);

  it('refused credentials and a bad configuration are reported without the secret', async () => {
    const wrongSecret = await kada({ AZURE_CLIENT_SECRET: SECRETS.wrongClientSecret });
    await wrongSecret.waitReady();
    const s = inst.students().find((x) => x.epost)!;
    // A forced rebuild reads the calendar back from Graph, so it needs a token.
    expect(
      (
        await call(`${wrongSecret.url}/api/persons/${s.personlopenummer}/rebuild`, {
          method: 'POST',
          ...bearer(SECRETS.adminToken),
        })
      ).status,
    ).toBe(202);
    await eventually(() => /AADSTS7000215/.test(wrongSecret.output()), {
      what: 'the refused client secret',
      timeoutMs: 60_000,
    });
    seen.push({
      where: 'api/errors (refused secret)',
      text: await (await call(`${wrongSecret.url}/api/errors`, bearer(SECRETS.adminToken))).text(),
    });
    await stopGracefully(wrongSecret);

    const wrongFsKey = await kada({ FS_API_KEY: SECRETS.wrongFsKey });
    await wrongFsKey.waitReady();
    await fx.publish(
      fx.fsExchange,
      fsPersonMessage(s.personlopenummer).routingKey,
      fsPersonMessage(s.personlopenummer).body,
    );
    await eventually(() => /SOURCE_UNAUTHORIZED/.test(wrongFsKey.output()), {
      what: 'the refused FS key',
      timeoutMs: 60_000,
    });
    await stopGracefully(wrongFsKey);

    const wrongDb = await kada({ DATABASE_URL: dbUrl(SECRETS.wrongDbPassword) });
    expect(await wrongDb.exited).toBe(1);
    expect(wrongDb.output()).toMatch(/password authentication failed/);

    const badConfig = await kada({
      PORT: 'eighty',
      KADA_INSTITUTION: 'UiO!',
      ADMIN_TOKEN: 'short',
      AZURE_AUTHORITY_HOST: `http://user:${SECRETS.clientSecret}@login.example`,
    });
    expect(await badConfig.exited).toBe(1);
    expect(badConfig.output()).toMatch(/invalid configuration: .*PORT/);

    for (const c of [wrongSecret, wrongFsKey, wrongDb, badConfig])
      seen.push({ where: `kada run (${c.pid})`, text: c.output() });
    expect(seen.filter((x) => leaks(x.text).length).map((x) => `${x.where}: ${leaks(x.text).join(', ')}`)).toEqual([]);
  }, 180_000);
});
