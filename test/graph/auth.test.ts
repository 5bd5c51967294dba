import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config';
import { HASH_PROP, KEY_PROP, OWNER_PROP, markerProperties } from '../../src/domain/markers';
import { createClientCertificate, type ClientCertificate } from '../../testkit/graph/certs';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../testkit/graph/graphEmulator';
import { GraphAuthError, createTokenProvider, graphScope, loadClientCertificate } from '../../src/graph/auth';
import { createGraphClient, graphEndpoint } from '../../src/graph/graphClient';

const CA = process.env.NODE_EXTRA_CA_CERTS;
if (!CA || !fs.existsSync(CA)) {
  throw new Error(
    'NODE_EXTRA_CA_CERTS must point at the emulator CA before the test process starts. Run: ' +
      'npx tsx testkit/graph/certs.ts .tmp/certs && NODE_EXTRA_CA_CERTS=$PWD/.tmp/certs/ca.pem npx vitest run ' +
      'test/graph (or npm test)',
  );
}

let emu: MicrosoftEmulator;
let cert: ClientCertificate;
let tmp: string;
let certPath: string;

function graphConfig(over: Partial<Config['graph']> = {}): Config['graph'] {
  return {
    baseUrl: emu.graphBaseUrl,
    authorityHost: emu.authorityHost,
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    concurrency: 4,
    concurrencyScope: 'app',
    timeoutMs: 10_000,
    ...over,
  };
}

function event(key: string, i: number) {
  return {
    subject: `IN1000 Gruppe ${i}`,
    start: { dateTime: `2026-09-0${1 + (i % 5)}T10:15:00`, timeZone: 'W. Europe Standard Time' },
    end: { dateTime: `2026-09-0${1 + (i % 5)}T12:00:00`, timeZone: 'W. Europe Standard Time' },
    showAs: 'busy',
    transactionId: `tx-${key}`,
    singleValueExtendedProperties: markerProperties('uio', key, `h-${key}`),
  };
}

/** kada's read-back query, paging by @odata.nextLink exactly as a caller of the client would. */
async function readKadaEvents(client: Client, mailbox: string, pageSize: number) {
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${OWNER_PROP}' and ep/value eq 'uio')`;
  const expand = `singleValueExtendedProperties($filter=id eq '${KEY_PROP}' or id eq '${HASH_PROP}')`;
  type Page = {
    value: { id: string; subject: string; singleValueExtendedProperties?: { id: string; value: string }[] }[];
    '@odata.nextLink'?: string;
  };
  let page = (await client
    .api(`/users/${encodeURIComponent(mailbox)}/events`)
    .filter(filter)
    .expand(expand)
    .select('id,subject,start,end')
    .top(pageSize)
    .get()) as Page;
  const out: { subject: string; key?: string; hash?: string }[] = [];
  let pages = 0;
  for (;;) {
    pages++;
    for (const e of page.value) {
      const props = Object.fromEntries((e.singleValueExtendedProperties ?? []).map((p) => [p.id, p.value]));
      out.push({ subject: e.subject, key: props[KEY_PROP], hash: props[HASH_PROP] });
    }
    const next = page['@odata.nextLink'];
    if (!next) break;
    page = (await client.api(next).get()) as Page;
  }
  return { events: out, pages };
}

beforeAll(async () => {
  cert = createClientCertificate('kada-test-app');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kada-auth-'));
  certPath = path.join(tmp, 'kada.pem');
  fs.writeFileSync(certPath, cert.pem, { mode: 0o600 });
  emu = await startMicrosoftEmulator({ clientCertificatePem: cert.certPem });
});

afterAll(async () => {
  await emu?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Graph token provider (MSAL) against the token emulator', () => {
  it('gets a token with the client secret, and MSAL caches it until asked to refresh', async () => {
    emu.token.resetStats();
    const tokens = createTokenProvider(graphConfig());
    const [a, b] = await Promise.all([tokens.getToken(), tokens.getToken()]);
    expect(a).toBe(b);
    expect(await tokens.getToken()).toBe(a);
    expect(emu.token.verifyAccessToken(a)).toMatchObject({ ok: true, appId: emu.clientId });
    expect(emu.token.stats().tokenRequests).toBe(1);
    const fresh = await tokens.getToken({ forceRefresh: true });
    expect(fresh).not.toBe(a);
    expect(emu.token.stats().tokenRequests).toBe(2);
  });

  it('gets a token with the certificate (PEM with key at AZURE_CLIENT_CERTIFICATE_PATH)', async () => {
    const tokens = createTokenProvider(graphConfig({ clientSecret: undefined, clientCertificatePath: certPath }));
    const token = await tokens.getToken();
    expect(emu.token.verifyAccessToken(token)).toMatchObject({ ok: true, appId: emu.clientId });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { appidacr: string };
    expect(claims.appidacr).toBe('2');
  });

  it('fails with a clear error that does not contain the secret', async () => {
    const wrong = 'definitely-wrong-secret-4711';
    const tokens = createTokenProvider(graphConfig({ clientSecret: wrong }));
    const err = await tokens.getToken().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GraphAuthError);
    const e = err as GraphAuthError;
    expect(e.code).toBe('GRAPH_AUTH_FAILED');
    expect(e.aadCode).toBe('AADSTS7000215');
    expect(e.message).toContain(emu.clientId);
    expect(e.message).toContain('Invalid client secret provided');
    expect(e.message).not.toContain(wrong);
    expect(JSON.stringify(e)).not.toContain(wrong);
    expect(e.stack ?? '').not.toContain(wrong);
  });

  it('names the problem when the certificate file is unusable', () => {
    expect(() =>
      createTokenProvider(
        graphConfig({ clientSecret: undefined, clientCertificatePath: path.join(tmp, 'missing.pem') }),
      ),
    ).toThrow(/cannot read AZURE_CLIENT_CERTIFICATE_PATH/);
    expect(() => loadClientCertificate(cert.certPem, 'app')).toThrow(/no private key/);
    const stranger = createClientCertificate('stranger');
    try {
      loadClientCertificate(`${cert.certPem}\n${stranger.keyPem}`, 'app');
      expect.unreachable();
    } catch (e) {
      expect((e as GraphAuthError).code).toBe('GRAPH_CERTIFICATE_INVALID');
      expect((e as Error).message).toMatch(/does not belong to its certificate/);
      expect((e as Error).message).not.toContain(stranger.keyPem.split('\n')[1]!);
    }
    const loaded = loadClientCertificate(cert.pem, 'app');
    expect(loaded.thumbprintSha256).toBe(cert.thumbprintSha256);
  });

  it('derives the scope and the client endpoint from GRAPH_BASE_URL', () => {
    expect(graphScope('https://graph.microsoft.com/v1.0')).toBe('https://graph.microsoft.com/.default');
    expect(graphScope('https://localhost:8443/v1.0')).toBe('https://localhost:8443/.default');
    expect(graphEndpoint('https://localhost:8443/v1.0')).toEqual({
      baseUrl: 'https://localhost:8443/',
      version: 'v1.0',
      host: 'localhost',
    });
  });
});

describe('Graph client against the Graph emulator', () => {
  it('lists kada events with the owner filter and marker expand, following @odata.nextLink', async () => {
    const mailbox = 'kari.nordmann@uio.no';
    const tokens = createTokenProvider(graphConfig());
    const client = createGraphClient(graphConfig(), tokens);
    for (let i = 0; i < 12; i++)
      await client.api(`/users/${encodeURIComponent(mailbox)}/events`).post(event(`tp:26h:IN1000,1:ev${i}+35+2`, i));
    emu.graph.addUserEvent(mailbox, { subject: 'Privat avtale' });
    emu.graph.resetStats();
    const { events, pages } = await readKadaEvents(client, mailbox, 5);
    expect(pages).toBe(3);
    expect(events).toHaveLength(12);
    expect(events.map((e) => e.subject)).not.toContain('Privat avtale');
    expect(events[0]).toEqual({
      subject: 'IN1000 Gruppe 0',
      key: 'tp:26h:IN1000,1:ev0+35+2',
      hash: 'h-tp:26h:IN1000,1:ev0+35+2',
    });
    // every page, including the absolute nextLinks, carried the token
    expect(emu.graph.stats().requests.byStatus).toEqual({ '200': 3 });
  });

  it('fetches a fresh token once when Graph answers 401 to a cached one', async () => {
    const cfg = graphConfig();
    const tokens = createTokenProvider(cfg);
    const client = createGraphClient(cfg, tokens);
    await client.api('/users/refresh@uio.no/events').get();
    emu.token.resetStats();
    emu.graph.resetStats();
    emu.token.expireTokens();
    const res = (await client.api('/users/refresh@uio.no/events').get()) as { value: unknown[] };
    expect(res.value).toEqual([]);
    expect(emu.graph.stats().requests.byStatus).toEqual({ '200': 1, '401': 1 });
    expect(emu.token.stats().tokenRequests).toBe(1);
  });

  it('works with the certificate credential as well', async () => {
    const cfg = graphConfig({ clientSecret: undefined, clientCertificatePath: certPath });
    const client = createGraphClient(cfg, createTokenProvider(cfg));
    const res = (await client.api('/users/cert.user@uio.no/events').get()) as { value: unknown[] };
    expect(res.value).toEqual([]);
  });

  it('sends $batch and surfaces a top-level 429 with its Retry-After (no hidden library retries)', async () => {
    const cfg = graphConfig();
    const client = createGraphClient(cfg, createTokenProvider(cfg));
    const mailbox = 'ola.nordmann@uio.no';
    const batch = (await client.api('/$batch').post({
      requests: [
        {
          id: '1',
          method: 'POST',
          url: `/users/${mailbox}/events`,
          headers: { 'Content-Type': 'application/json' },
          body: event('b1', 1),
        },
        { id: '2', method: 'GET', url: `/users/${mailbox}/events`, dependsOn: ['1'] },
      ],
    })) as { responses: { id: string; status: number }[] };
    expect(Object.fromEntries(batch.responses.map((r) => [r.id, r.status]))).toEqual({ '1': 201, '2': 200 });
    emu.graph.resetStats();
    emu.graph.failNext('429', 1);
    const err = (await client
      .api(`/users/${mailbox}/events`)
      .get()
      .catch((e: unknown) => e)) as { statusCode: number; headers: Headers };
    expect(err.statusCode).toBe(429);
    expect(err.headers.get('retry-after')).toBe('1');
    expect(emu.graph.stats().requests.total).toBe(1);
  });

  it('gives up on a request that hangs longer than GRAPH_TIMEOUT_MS', async () => {
    const cfg = graphConfig({ timeoutMs: 300 });
    const client = createGraphClient(cfg, createTokenProvider(cfg));
    emu.graph.setFaults({ hangMs: 30_000 });
    emu.graph.failNext('timeout', 1);
    const err = (await client
      .api('/users/slow@uio.no/events')
      .get()
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(String(err.name) + String(err.message)).toMatch(/abort|timeout/i);
    emu.graph.clearFaults();
  });
});
