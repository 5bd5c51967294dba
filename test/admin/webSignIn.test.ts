import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/server';
import { startOidcProvider, type OidcProvider } from '../../testkit/oidc/oidcProvider';
import { launchChromium } from './browser';
import { startAdminFixture, type AdminFixture } from './fixture';

const CLIENT = 'kada-admin-page';
let idp: OidcProvider;
let f: AdminFixture;
let server: AdminServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 50 } } });

/** A port nobody listens on, so the redirect URI can be configured before kada starts. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  idp = await startOidcProvider({
    clients: [{ clientId: CLIENT, redirectUris: [`${origin}/auth/callback`] }],
    users: {
      reader: { sub: 'r-1', preferred_username: 'kari.reader@uio.no', roles: ['kada.read'] },
      operator: { sub: 'o-1', preferred_username: 'ola.operator@uio.no', roles: ['kada.operate'] },
    },
  });
  // Sign-in only: no ADMIN_TOKEN, so the page offers no token field.
  f = await startAdminFixture({
    ADMIN_TOKEN: undefined,
    ADMIN_OIDC_ISSUER: idp.issuer,
    ADMIN_OIDC_CLIENT_ID: CLIENT,
    ADMIN_OIDC_REDIRECT_URI: `${origin}/auth/callback`,
  });
  server = await startAdminServer(f.ctx, {
    port,
    host: '127.0.0.1',
    isReady: async () => ({ database: true, broker: true }),
  });
  browser = await launchChromium({ ignoreHTTPSErrors: true });
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await f?.close();
  await idp?.close();
});

async function signInAs(user: 'reader' | 'operator') {
  await browser.context.clearCookies();
  await page.goto(server.url);
  await expect.poll(() => page.isVisible('#sign-in')).toBe(true);
  expect(await page.isVisible('#token-form')).toBe(false);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await page.waitForURL(`${server.url}/`);
}

async function findPerson(query: string) {
  await page.getByLabel('Personlopenummer, username or e-mail').fill(query);
  await page.getByRole('button', { name: 'Search' }).click();
}

describe('signing in to the admin page through the issuer', () => {
  it('signs an operator in, shows who they are, and a rebuild works; no token reaches the page', async () => {
    await signInAs('operator');
    await expect.poll(() => page.textContent('#who')).toBe('Signed in as ola.operator@uio.no (operator)');
    expect(await page.isVisible('#sign-in')).toBe(false);
    await expect.poll(() => page.textContent('#st-queued')).toMatch(/^0/);

    // The session is an HttpOnly cookie: the script sees neither it nor any token, in either storage.
    const cookies = await browser.context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'kada_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    expect(await page.evaluate(() => document.cookie)).not.toContain('kada_session');
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);

    const s = f.institution.aStudent(1);
    await findPerson(s.personlopenummer);
    await expect.poll(() => page.textContent('#person-id')).toBe(s.personlopenummer);
    expect(await page.isVisible('#rebuild')).toBe(true);
    await page.getByRole('button', { name: 'Rebuild now' }).click();
    await expect.poll(() => page.textContent('#job-text')).toMatch(/Rebuild queued \(job \d+\)/);
    const jobId = /job (\d+)/.exec((await page.textContent('#job-text')) ?? '')![1]!;
    const [job] = await f.ctx.db.query(`SELECT person_id, force, state FROM jobs WHERE id = $1`, [jobId]);
    expect(job).toEqual({ person_id: s.personlopenummer, force: true, state: 'queued' });
    await f.ctx.db.query(`UPDATE jobs SET state = 'done', finished_at = now(), result = $2 WHERE id = $1`, [
      jobId,
      JSON.stringify({ outcome: 'synced', written: { creates: 3, updates: 0, deletes: 0 }, eventCount: 3 }),
    ]);
    await expect.poll(() => page.textContent('#job-text')).toMatch(/^Rebuild done: 3 created/);

    // A request from elsewhere that rides on the cookie but lacks the CSRF header is refused.
    const forged = await page.evaluate(async (p) => {
      const res = await fetch(`/api/persons/${p}/rebuild`, { method: 'POST' });
      return { status: res.status, body: await res.json() };
    }, s.personlopenummer);
    expect(forged).toEqual({
      status: 403,
      body: { error: 'csrf', message: 'a signed-in page must send the x-kada-csrf header' },
    });
  });

  it('signs a reader in without operator buttons; the API refuses them the rebuild too', async () => {
    await signInAs('reader');
    await expect.poll(() => page.textContent('#who')).toBe('Signed in as kari.reader@uio.no (reader)');
    await expect.poll(() => page.textContent('#st-queued')).toMatch(/^\d/);
    const s = f.institution.aStudent(2);
    await findPerson(s.personlopenummer);
    await expect.poll(() => page.textContent('#person-id')).toBe(s.personlopenummer);
    expect(await page.isHidden('#rebuild')).toBe(true);
    expect(await page.isHidden('#release-deletes')).toBe(true);
    expect(await page.isHidden('#drop-deletes')).toBe(true);
    const tried = await page.evaluate(async (p) => {
      const headers = (window as unknown as { kadaAuth: { headers(m: string): Record<string, string> } }).kadaAuth;
      const res = await fetch(`/api/persons/${p}/rebuild`, { method: 'POST', headers: headers.headers('POST') });
      return res.status;
    }, s.personlopenummer);
    expect(tried).toBe(403);
  });

  it('signs out: the session ends on the server, not only in the browser', async () => {
    await signInAs('operator');
    await expect.poll(() => page.isVisible('#sign-out')).toBe(true);
    const id = (await browser.context.cookies(server.url)).find((c) => c.name === 'kada_session')!.value;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.isVisible('#sign-in')).toBe(true);
    const replay = await fetch(`${server.url}/api/status`, { headers: { cookie: `kada_session=${id}` } });
    expect(replay.status).toBe(401);
  });

  it('refuses a callback whose state this browser did not start (login CSRF)', async () => {
    await browser.context.clearCookies();
    await page.goto(`${server.url}/auth/callback?code=stolen&state=${'a'.repeat(43)}`);
    await expect.poll(() => page.textContent('#signin-error')).toMatch(/Sign-in failed \(state_mismatch\)/);
    expect(await page.isVisible('#sign-in')).toBe(true);
  });
});
