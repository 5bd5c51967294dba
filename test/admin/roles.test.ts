import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/admin/openapi';
import { fastifyRouteOf, requiredRole } from '../../src/admin/routeRoles';
import { buildAdminApp } from '../../src/admin/server';
import { startOidcProvider, type BadToken, type OidcProvider } from '../../testkit/oidc/oidcProvider';
import { ADMIN_TOKEN, startAdminFixture, type AdminFixture } from './fixture';

const CLIENT = 'kada-admin';
let idp: OidcProvider;
let f: AdminFixture;
let app: FastifyInstance;
let reader: string;
let operator: string;
let nobody: string;

beforeAll(async () => {
  idp = await startOidcProvider({ clients: [{ clientId: CLIENT, redirectUris: [] }] });
  // OIDC only: the machine token is optional once an issuer is set.
  f = await startAdminFixture({ ADMIN_TOKEN: undefined, ADMIN_OIDC_ISSUER: idp.issuer, ADMIN_OIDC_CLIENT_ID: CLIENT });
  app = await buildAdminApp(f.ctx, { isReady: async () => ({ database: true, broker: true }) });
  const mint = (sub: string, roles: string[]) =>
    idp.mint({ user: { sub, preferred_username: `${sub}@uio.no`, roles }, audience: CLIENT });
  reader = await mint('reader', ['kada.read']);
  operator = await mint('operator', ['kada.operate']);
  nobody = await mint('nobody', []);
});
afterAll(async () => {
  await app?.close();
  await f?.close();
  await idp?.close();
});

const call = (method: string, url: string, token?: string) =>
  app.inject({
    method: method as InjectOptions['method'],
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

/** Every /api operation the OpenAPI document describes, with its parameters filled in. */
function documentedOperations(): { method: string; path: string; url: string }[] {
  const person = f.institution.aStudent().personlopenummer;
  const out: { method: string; path: string; url: string }[] = [];
  for (const [path, methods] of Object.entries(openApiDocument.paths as Record<string, object>)) {
    if (!path.startsWith('/api/') || path === '/api/openapi.json') continue;
    for (const method of Object.keys(methods)) {
      // Forgetting a known person would clear a calendar this fixture has no Graph for: an unknown one is a 404.
      const who = method === 'delete' && path === '/api/persons/{person}' ? 'unknown-person' : person;
      const url = path.replace('{person}', who).replace('{jobId}', '1') + (path === '/api/persons' ? '?q=a' : '');
      out.push({ method: method.toUpperCase(), path, url });
    }
  }
  return out;
}

describe('roles on every documented route', () => {
  it('needs kada.operate for every mutating route and the audit, kada.read for the other reads', () => {
    const ops = documentedOperations();
    expect(ops.length).toBeGreaterThanOrEqual(12);
    for (const { method, path } of ops) {
      const role = requiredRole(method, fastifyRouteOf(path));
      const readOnly = method === 'GET' && path !== '/api/audit';
      expect(role, `${method} ${path}`).toBe(readOnly ? 'kada.read' : 'kada.operate');
    }
    expect(requiredRole('GET', '/api/audit')).toBe('kada.operate');
    // A route nobody listed is closed to readers.
    expect(requiredRole('GET', '/api/some-future-route')).toBe('kada.operate');
  });

  it('states the security requirement, with the role, and the 401/403 answers of every /api operation', () => {
    const paths = openApiDocument.paths as Record<string, Record<string, { security?: unknown; responses: object }>>;
    for (const { method, path } of documentedOperations()) {
      const op = paths[path]![method.toLowerCase()]!;
      const role = requiredRole(method, fastifyRouteOf(path));
      expect(op.security, `${method} ${path}`).toEqual([
        { adminToken: [] },
        { oidcBearer: [role] },
        { adminSession: [role] },
      ]);
      expect(Object.keys(op.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
    }
    expect(paths['/api/openapi.json']!.get!.security).toEqual([]);
  });

  it('answers a reader 403 where kada.operate is needed, and lets an operator through everywhere', async () => {
    for (const { method, path, url } of documentedOperations()) {
      const needsOperate = requiredRole(method, fastifyRouteOf(path)) === 'kada.operate';
      const asReader = await call(method, url, reader);
      if (needsOperate) {
        expect(asReader.statusCode, `reader ${method} ${path}`).toBe(403);
        expect(asReader.json()).toEqual({ error: 'forbidden', message: 'this needs the role kada.operate' });
      } else expect([401, 403], `reader ${method} ${path}`).not.toContain(asReader.statusCode);
      const asOperator = await call(method, url, operator);
      expect([401, 403], `operator ${method} ${path}`).not.toContain(asOperator.statusCode);
      const asNobody = await call(method, url, nobody);
      expect(asNobody.statusCode, `no role ${method} ${path}`).toBe(403);
      const anonymous = await call(method, url);
      expect(anonymous.statusCode, `anonymous ${method} ${path}`).toBe(401);
    }
  });

  it('queues a rebuild for an operator, naming nothing of the token in any answer', async () => {
    const person = f.institution.aStudent().personlopenummer;
    const res = await call('POST', `/api/persons/${person}/rebuild`, operator);
    expect(res.statusCode).toBe(202);
    expect(res.json().jobId).toMatch(/^\d+$/);
    const denied = await call('POST', `/api/persons/${person}/rebuild`, reader);
    expect(denied.body).not.toContain(reader.slice(0, 30));
  });

  it('answers an unknown /api path 404 to a signed-in reader, and 401 to anyone else', async () => {
    expect((await call('GET', '/api/no-such-route', reader)).statusCode).toBe(404);
    expect((await call('GET', '/api/no-such-route')).statusCode).toBe(401);
  });
});

describe('bearer tokens at the API', () => {
  it.each<BadToken>(['expired', 'wrong-audience', 'wrong-issuer', 'foreign-key', 'alg-none', 'hs256-public-key'])(
    'answers a %s token 401 {"error":"unauthorized"} and nothing more',
    async (kind) => {
      const token = await idp.mintBad(kind, { user: { sub: 'x', roles: ['kada.operate'] }, audience: CLIENT });
      const res = await call('GET', '/api/status', token);
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe('{"error":"unauthorized"}');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    },
  );

  it('answers a token that is no JWT, or another scheme, 401', async () => {
    expect((await call('GET', '/api/status', 'not-a-jwt')).statusCode).toBe(401);
    const basic = await app.inject({
      method: 'GET',
      url: '/api/status',
      headers: { authorization: `Basic ${reader}` },
    });
    expect(basic.statusCode).toBe(401);
  });

  it('keeps ADMIN_TOKEN working beside the issuer, with every right', async () => {
    const both = await startAdminFixture({ ADMIN_TOKEN, ADMIN_OIDC_ISSUER: idp.issuer, ADMIN_OIDC_CLIENT_ID: CLIENT });
    const withToken = await buildAdminApp(both.ctx, { isReady: async () => ({ database: true, broker: true }) });
    try {
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
      expect((await withToken.inject({ method: 'POST', url: '/api/deletes/drop', headers: auth })).statusCode).toBe(
        200,
      );
      const jwt = { authorization: `Bearer ${operator}` };
      expect((await withToken.inject({ method: 'GET', url: '/api/status', headers: jwt })).statusCode).toBe(200);
    } finally {
      await withToken.close();
      await both.close();
    }
  });

  it('answers 503 while the issuer cannot be reached, without calling the token bad', async () => {
    const down = await startAdminFixture({
      ADMIN_TOKEN: undefined,
      ADMIN_OIDC_ISSUER: 'https://localhost:9',
      ADMIN_OIDC_CLIENT_ID: CLIENT,
    });
    const downApp = await buildAdminApp(down.ctx, { isReady: async () => ({ database: true, broker: true }) });
    try {
      const res = await downApp.inject({
        method: 'GET',
        url: '/api/status',
        headers: { authorization: `Bearer ${reader}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toBe('issuer_unavailable');
    } finally {
      await downApp.close();
      await down.close();
    }
  });
});
