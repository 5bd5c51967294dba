import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/admin/openapi';
import { OpenApiChecker } from '../../testkit/support/openApiCheck';

/** The checker api.test.ts runs every answer through: it must catch what it is there to catch. */
describe('OpenAPI answer checker', () => {
  const answer = (method: string, url: string, status: number, body: unknown, type = 'application/json') => ({
    method,
    url,
    status,
    contentType: `${type}; charset=utf-8`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('accepts documented answers, path templates filled in', () => {
    const c = new OpenApiChecker(openApiDocument as never);
    expect(c.check(answer('GET', '/api/persons/olan%40uio.no?x=1', 401, { error: 'unauthorized' }))).toBeNull();
    expect(
      c.check(answer('GET', '/api/persons/1234/diff', 502, { error: 'upstream_unavailable', message: 'm' })),
    ).toBeNull();
    expect(c.check(answer('GET', '/healthz', 200, { status: 'ok' }))).toBeNull();
    expect(c.checked).toBe(3);
    expect(c.problems).toEqual([]);
  });

  it('fails an undocumented status, a body off its schema, an undocumented content type or method', () => {
    const c = new OpenApiChecker(openApiDocument as never);
    expect(c.check(answer('GET', '/api/jobs/1', 418, { error: 'teapot' }))).toMatch(/status 418 is not documented/);
    expect(c.check(answer('GET', '/api/persons/1234', 404, { message: 'no error field' }))).toMatch(/error/);
    expect(c.check(answer('GET', '/healthz', 200, '<html>', 'text/html'))).toMatch(/content type text\/html/);
    expect(c.check(answer('PATCH', '/api/status', 200, {}))).toMatch(/not in the OpenAPI document/);
    expect(c.problems).toHaveLength(4);
  });

  it('leaves routes the document does not describe to the route test', () => {
    const c = new OpenApiChecker(openApiDocument as never);
    expect(c.check(answer('GET', '/api/no-such-route/x/y', 404, { error: 'not_found' }))).toBeNull();
    expect(c.checked).toBe(0);
  });
});
