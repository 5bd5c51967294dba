import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitOf, registerRateLimits } from '../../src/admin/rateLimits';
import { buildAdminApp } from '../../src/admin/server';
import { openApiDocument } from '../../src/admin/openapi';
import { ConfigError } from '../../src/config/config';
import { ADMIN_TOKEN, type AdminFixture, startAdminFixture, testConfig } from './fixture';

/** issue 17 item 4: per-caller rate limits on diff, rebuild and forget. */

let f: AdminFixture;
let app: FastifyInstance;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  // A low diff limit keeps the test short; forget keeps its default of 10 a minute.
  f = await startAdminFixture({ ADMIN_RATE_LIMITS: 'diff=2' });
  app = await buildAdminApp(f.ctx, { isReady: async () => ({ database: true, broker: true }) });
});
afterAll(async () => {
  await app?.close();
  await f?.close();
});

describe('admin API rate limits', () => {
  it('answers the 11th forget in a minute 429 with Retry-After and a clear message, and does nothing', async () => {
    // Unknown persons: each answer is a cheap 404, but every request counts.
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({ method: 'DELETE', url: `/api/persons/nobody-${i}`, headers: auth });
      expect(res.statusCode, `request ${i + 1}`).toBe(404);
    }
    const res = await app.inject({ method: 'DELETE', url: '/api/persons/nobody-10', headers: auth });
    expect(res.statusCode).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.json()).toEqual({ error: 'rate_limited', message: expect.stringMatching(/at most 10 a minute/) });
    // The refusal is in the audit trail, as denied.
    const [last] = await f.ctx.db.query(`SELECT action, person, outcome FROM audit_log ORDER BY id DESC LIMIT 1`);
    expect(last).toEqual({ action: 'forget', person: 'nobody-10', outcome: 'denied' });
    // Other routes have limits of their own: a read is not limited, a diff has its own count.
    expect((await app.inject({ method: 'GET', url: '/api/persons/nobody', headers: auth })).statusCode).toBe(404);
  });

  it('limits diff per ADMIN_RATE_LIMITS, and a request without a token is a 401, not counted', async () => {
    for (let i = 0; i < 3; i++)
      expect((await app.inject({ method: 'GET', url: '/api/persons/nobody/diff' })).statusCode).toBe(401);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await app.inject({ method: 'GET', url: '/api/persons/nobody/diff', headers: auth })).statusCode);
    expect(codes).toEqual([404, 404, 429]);
    // No HEAD beside it (a known person, so a HEAD route would answer 200): that would be a second count,
    // and a whole diff for no answer.
    const known = f.institution.aStudent().personlopenummer;
    const head = await app.inject({ method: 'HEAD', url: `/api/persons/${known}/diff`, headers: auth });
    expect(head.statusCode).toBe(404);
  });

  it('counts per actor: one caller at the limit does not hold up another', async () => {
    const bare = Fastify({ logger: false });
    bare.addHook('onRequest', async (req) => {
      req.caller = { actor: String(req.headers['x-actor']), roles: new Set(['kada.operate']) };
    });
    await registerRateLimits(bare);
    bare.post(
      '/api/persons/:person/rebuild',
      limitOf({ adminRateLimits: { diff: 1, rebuild: 1, forget: 1 } }, 'rebuild'),
      async () => ({}),
    );
    try {
      const as = (actor: string) =>
        bare.inject({ method: 'POST', url: '/api/persons/1/rebuild', headers: { 'x-actor': actor } });
      expect((await as('alice')).statusCode).toBe(200);
      expect((await as('alice')).statusCode).toBe(429);
      expect((await as('bob')).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('is configurable, rejects a malformed ADMIN_RATE_LIMITS, and is stated in the OpenAPI document', () => {
    expect(testConfig({}).adminRateLimits).toEqual({ diff: 30, rebuild: 60, forget: 10 });
    expect(testConfig({ ADMIN_RATE_LIMITS: 'forget=3, rebuild=5' }).adminRateLimits).toEqual({
      diff: 30,
      rebuild: 5,
      forget: 3,
    });
    for (const bad of ['forget', 'forget=0', 'delete=3', 'forget=3;diff=1'])
      expect(() => testConfig({ ADMIN_RATE_LIMITS: bad }), bad).toThrow(ConfigError);
    const paths = openApiDocument.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const [path, method] of [
      ['/api/persons/{person}/diff', 'get'],
      ['/api/persons/{person}/rebuild', 'post'],
      ['/api/persons/{person}', 'delete'],
    ] as const)
      expect(paths[path]?.[method]?.responses['429'], `${method} ${path}`).toMatchObject({
        headers: { 'Retry-After': expect.anything() },
      });
  });
});
