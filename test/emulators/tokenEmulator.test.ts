import { constants, createHash, createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClientCertificate, type ClientCertificate } from '../../testkit/graph/certs';
import { startTokenEmulator, type TokenEmulator } from '../../testkit/graph/tokenEmulator';

const CA = process.env.NODE_EXTRA_CA_CERTS;
if (!CA || !fs.existsSync(CA)) {
  throw new Error(
    'NODE_EXTRA_CA_CERTS must point at the emulator CA before the test process starts. Run: ' +
      'npx tsx testkit/graph/certs.ts .tmp/certs && NODE_EXTRA_CA_CERTS=$PWD/.tmp/certs/ca.pem npx vitest run ' +
      'test/emulators (or npm test)',
  );
}

const GRAPH = 'https://graph.emulator.test:9443';
const SECRET = 'very-secret-value-123';
const CLIENT = 'c0ffee00-0000-4000-8000-000000000001';
const CERT_CLIENT = 'c0ffee00-0000-4000-8000-000000000002';

let emu: TokenEmulator;
let cert: ClientCertificate;
let otherCert: ClientCertificate;

type TokenAnswer = { status: number; body: Record<string, any>; text: string; headers: Headers };

async function requestToken(params: Record<string, string>, tenant = emu.tenantId): Promise<TokenAnswer> {
  const res = await fetch(`${emu.authorityHost}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, any>, text, headers: res.headers };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A client assertion the way MSAL node builds it (PS256, x5t#S256). */
function assertion(
  c: ClientCertificate,
  opts: { clientId?: string; aud?: string; exp?: number; signWith?: ClientCertificate } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'PS256', typ: 'JWT', 'x5t#S256': Buffer.from(c.thumbprintSha256, 'hex').toString('base64url') };
  const clientId = opts.clientId ?? CERT_CLIENT;
  const payload = {
    aud: opts.aud ?? `${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`,
    exp: opts.exp ?? now + 600,
    iss: clientId,
    sub: clientId,
    nbf: now,
    jti: randomUUID(),
  };
  const signed = `${b64(header)}.${b64(payload)}`;
  const key = createPrivateKey((opts.signWith ?? c).keyPem);
  const sig = sign('sha256', Buffer.from(signed), {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  });
  return `${signed}.${sig.toString('base64url')}`;
}

const assertionParams = (jwt: string, clientId = CERT_CLIENT) => ({
  grant_type: 'client_credentials',
  client_id: clientId,
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  client_assertion: jwt,
  scope: `${GRAPH}/.default`,
});

beforeAll(async () => {
  cert = createClientCertificate('kada-test');
  otherCert = createClientCertificate('someone-else');
  emu = await startTokenEmulator({
    graphOrigin: GRAPH,
    clients: [
      { clientId: CLIENT, clientSecret: SECRET },
      { clientId: CERT_CLIENT, certificatePem: cert.certPem },
    ],
  });
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.setFaults({});
  emu.resetStats();
});

describe('token emulator: metadata', () => {
  it('serves the OpenID configuration MSAL needs, under the tenant', async () => {
    const res = await fetch(`${emu.authority}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      token_endpoint: `${emu.authority}/oauth2/v2.0/token`,
      authorization_endpoint: `${emu.authority}/oauth2/v2.0/authorize`,
      issuer: `${emu.authority}/v2.0`,
      jwks_uri: `${emu.authority}/discovery/v2.0/keys`,
    });
    expect(doc.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    const keys = (await (await fetch(doc.jwks_uri as string)).json()) as { keys: { kty: string; kid: string }[] };
    expect(keys.keys[0]!.kty).toBe('RSA');
  });

  it('answers AADSTS90002 for an unknown tenant', async () => {
    const res = await requestToken(
      { grant_type: 'client_credentials', client_id: CLIENT, client_secret: SECRET, scope: `${GRAPH}/.default` },
      'other-tenant',
    );
    expect(res.status).toBe(400);
    expect(res.body.error_codes).toEqual([90002]);
  });
});

describe('token emulator: client secret', () => {
  it('issues a Graph token for the right secret and scope', async () => {
    const res = await requestToken({
      grant_type: 'client_credentials',
      client_id: CLIENT,
      client_secret: SECRET,
      scope: `${GRAPH}/.default`,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const claims = JSON.parse(
      Buffer.from(String(res.body.access_token).split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({
      aud: GRAPH,
      appid: CLIENT,
      tid: emu.tenantId,
      roles: ['Calendars.ReadWrite', 'MailboxSettings.ReadWrite'],
    });
    expect(emu.verifyAccessToken(res.body.access_token)).toEqual({
      ok: true,
      appId: CLIENT,
      roles: ['Calendars.ReadWrite', 'MailboxSettings.ReadWrite'],
    });
  });

  it('answers 401 invalid_client (AADSTS7000215) for a wrong secret, without echoing it', async () => {
    const wrong = 'not-the-secret-987';
    const res = await requestToken({
      grant_type: 'client_credentials',
      client_id: CLIENT,
      client_secret: wrong,
      scope: `${GRAPH}/.default`,
    });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(res.text).not.toContain(wrong);
    expect(emu.stats().errors).toEqual({ '7000215': 1 });
  });

  it('answers 401 for an unknown client and 400 for a scope that is not the Graph origin', async () => {
    const unknown = await requestToken({
      grant_type: 'client_credentials',
      client_id: randomUUID(),
      client_secret: SECRET,
      scope: `${GRAPH}/.default`,
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error_codes).toEqual([700016]);
    const notDefault = await requestToken({
      grant_type: 'client_credentials',
      client_id: CLIENT,
      client_secret: SECRET,
      scope: `${GRAPH}/Calendars.ReadWrite`,
    });
    expect(notDefault.status).toBe(400);
    expect(notDefault.body.error).toBe('invalid_scope');
    const otherResource = await requestToken({
      grant_type: 'client_credentials',
      client_id: CLIENT,
      client_secret: SECRET,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(otherResource.status).toBe(400);
    expect(otherResource.body.error_codes).toEqual([500011]);
  });
});

describe('token emulator: certificate (client assertion)', () => {
  it('accepts an assertion signed with the registered certificate', async () => {
    const res = await requestToken(assertionParams(assertion(cert)));
    expect(res.status).toBe(200);
    expect(emu.verifyAccessToken(res.body.access_token)).toMatchObject({ ok: true, appId: CERT_CLIENT });
  });

  it('rejects unregistered certificates, bad signatures, wrong audiences and expired assertions', async () => {
    const unregistered = await requestToken(assertionParams(assertion(otherCert)));
    expect(unregistered.status).toBe(401);
    expect(unregistered.body.error_codes).toEqual([700027]);
    expect(unregistered.body.error_description).toContain(otherCert.thumbprintSha256);

    const forged = await requestToken(assertionParams(assertion(cert, { signWith: otherCert })));
    expect(forged.status).toBe(401);
    expect(forged.body.error_description).toMatch(/failed signature validation/);

    const audience = await requestToken(
      assertionParams(assertion(cert, { aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' })),
    );
    expect(audience.status).toBe(401);

    const expired = await requestToken(assertionParams(assertion(cert, { exp: Math.floor(Date.now() / 1000) - 3600 })));
    expect(expired.status).toBe(401);
    expect(expired.body.error_codes).toEqual([700024]);

    const otherApp = await requestToken(assertionParams(assertion(cert, { clientId: CLIENT }), CERT_CLIENT));
    expect(otherApp.status).toBe(401);
  });

  it('uses the SHA-256 thumbprint of the DER certificate, as Entra shows it', () => {
    const der = new X509Certificate(cert.certPem).raw;
    expect(cert.thumbprintSha256).toBe(createHash('sha256').update(der).digest('hex').toUpperCase());
  });
});

describe('token emulator: faults', () => {
  it('fails the next requests as told, then recovers', async () => {
    emu.failNext('503', 1);
    const params = {
      grant_type: 'client_credentials',
      client_id: CLIENT,
      client_secret: SECRET,
      scope: `${GRAPH}/.default`,
    };
    const failed = await requestToken(params);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect((await requestToken(params)).status).toBe(200);
    expect(emu.stats()).toMatchObject({ tokenRequests: 2, issued: 1, faults: { '503': 1 } });
  });
});
