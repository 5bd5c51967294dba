import vm from 'node:vm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/server';
import { appJs } from '../../src/admin/web/appJs';
import { roomsJs } from '../../src/admin/web/roomsJs';
import { safetyJs } from '../../src/admin/web/safetyJs';
import { auditJs } from '../../src/admin/web/auditJs';
import { indexHtml } from '../../src/admin/web/indexHtml';
import { upsertPerson } from '../../src/store/persons';
import { recordError } from '../../src/store/errors';
import { launchChromium } from './browser';
import { ADMIN_TOKEN, startAdminFixture, type AdminFixture } from './fixture';

let f: AdminFixture;
let server: AdminServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

// The page polls jobs every 0.7 s; give the browser room on a busy machine.
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 50 } } });

beforeAll(async () => {
  f = await startAdminFixture();
  server = await startAdminServer(f.ctx, {
    port: 0,
    host: '127.0.0.1',
    isReady: async () => ({ database: true, broker: true }),
  });
  browser = await launchChromium();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await f?.close();
});

describe('admin page assets', () => {
  it('serves the page, script and stylesheet under a strict content security policy', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/app.js', 'text/javascript'],
      ['/app.css', 'text/css'],
      ['/audit.js', 'text/javascript'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('has a script that parses and never writes data as HTML', () => {
    expect(() => new vm.Script(appJs)).not.toThrow();
    expect(() => new vm.Script(safetyJs)).not.toThrow();
    expect(safetyJs).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(() => new vm.Script(auditJs)).not.toThrow();
    expect(auditJs).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(() => new vm.Script(roomsJs)).not.toThrow();
    expect(roomsJs).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|`|\$\{/);
    expect(appJs).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    // No inline script or style: the CSP would block them.
    expect(indexHtml).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(indexHtml).not.toMatch(/\sstyle=|\son\w+=/);
  });
});

/** Stands in for a worker (the end-to-end test runs a real one): a running job with progress... */
async function startJobLikeAWorker(jobId: string) {
  await f.ctx.db.query(
    `UPDATE jobs SET state = 'running', started_at = now(), attempts = 1, progress = '{"done":2,"total":5}' WHERE id =
       $1`,
    [jobId],
  );
}

/** ...that then finishes, having written `eventCount` events. */
async function finishJobLikeAWorker(jobId: string, eventCount: number) {
  const db = f.ctx.db;
  const person = (await db.query(`SELECT person_id FROM jobs WHERE id = $1`, [jobId]))[0].person_id;
  await db.query(`UPDATE persons SET event_count = $2, last_sync_at = now() WHERE person_id = $1`, [
    person,
    eventCount,
  ]);
  for (let i = 0; i < eventCount; i++) {
    await db.query(
      `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
         course_version)
       VALUES ($1, $2, 'm@uio.no', $3, 'h', '26h', 'IN1000', '1')`,
      [person, `k${i}`, `g${i}`],
    );
  }
  await db.query(
    `UPDATE jobs SET state = 'done', finished_at = now(), progress = '{"done":5,"total":5}',
            result = $2 WHERE id = $1`,
    [
      jobId,
      JSON.stringify({ outcome: 'synced', written: { creates: 5, updates: 0, deletes: 0 }, failed: 0, eventCount }),
    ],
  );
}

describe('admin page in a browser', () => {
  it('asks for the token, finds a person, shows courses, groups, the diff, follows a rebuild to the end', async () => {
    const s = f.institution.aStudent(2);
    await page.goto(server.url);
    await expect.poll(() => page.textContent('#status-message')).toMatch(/Enter the admin token/);

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await expect.poll(() => page.textContent('#token-state')).toBe('Token set for this tab.');
    expect(await page.evaluate(() => sessionStorage.getItem('kada.adminToken'))).toBe(ADMIN_TOKEN);
    await expect.poll(() => page.textContent('#st-queued')).toMatch(/^0/);
    expect(await page.textContent('#st-by-priority')).toBe('rebuild 0, near change 0, change 0, fill 0, later weeks 0');

    // Keyboard only: type into the search field and press Enter.
    await page.getByLabel('Personlopenummer, username or e-mail').fill(s.epost!);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#person-id')).toBe(s.personlopenummer);
    expect(await page.textContent('#person-name')).toBe(`${s.fornavn} ${s.etternavn}`);
    expect(await page.textContent('#event-count')).toBe('0');
    const regs = f.institution.registrationsOfPerson(s.personlopenummer, '26h');
    const courseCells = await page.locator('#courses tr td:first-child').allTextContents();
    expect(courseCells.sort()).toEqual(regs.map((r) => r.emne.kode).sort());
    const groups = (await page.locator('#courses tr td:nth-child(4)').allTextContents()).join(',');
    for (const r of regs) for (const a of r.aktiviteter) expect(groups).toContain(a);
    const expected = f.institution.timetableOf(s.personlopenummer, '26h').length;
    await expect
      .poll(() => page.textContent('#diff-summary'))
      .toContain(`${expected} to create, 0 to update, 0 to delete`);
    expect(await page.locator('#diff tr').count()).toBe(expected);

    await page.getByRole('button', { name: 'Rebuild now' }).click();
    await expect.poll(() => page.textContent('#job-text')).toMatch(/Rebuild queued \(job \d+\)/);
    const jobId = /job (\d+)/.exec((await page.textContent('#job-text')) ?? '')![1]!;
    expect(await page.getByRole('button', { name: 'Rebuild now' }).isDisabled()).toBe(true);
    await startJobLikeAWorker(jobId);
    await expect.poll(() => page.textContent('#job-text')).toBe('Rebuilding: 2 of 5 changes written…');
    expect(await page.getAttribute('#job-progress', 'value')).toBe('2');
    await finishJobLikeAWorker(jobId, 5);
    await expect
      .poll(() => page.textContent('#job-text'))
      .toBe('Rebuild done: 5 created, 0 updated, 0 deleted; 5 events in the calendar.');
    await expect.poll(() => page.textContent('#event-count')).toBe('5');
    expect(await page.getByRole('button', { name: 'Rebuild now' }).isEnabled()).toBe(true);
    expect(await page.getAttribute('#job', 'aria-live')).toBe('polite');
  });

  it('shows data as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    await upsertPerson(
      f.ctx.db,
      { personId: '4242', firstName: evil, lastName: '<b>bold</b>', username: 'evil', email: null },
      null,
      'no_mailbox',
    );
    await recordError(f.ctx.db, {
      kind: 'person',
      code: 'PERSON_NO_MAILBOX',
      message: `no mailbox ${evil}`,
      personId: '4242',
    });
    await page.getByLabel('Personlopenummer, username or e-mail').fill('evil');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.textContent('#person-id')).toBe('4242');
    expect(await page.textContent('#person-name')).toBe(`${evil} <b>bold</b>`);
    expect(await page.locator('#person img, #person b').count()).toBe(0);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.locator('#errors').textContent()).toContain(`no mailbox ${evil}`);
    expect(await page.locator('#errors img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('says clearly when a person is unknown, and offers near matches', async () => {
    await page.getByLabel('Personlopenummer, username or e-mail').fill('evi');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.textContent('#search-message')).toMatch(/unknown person "evi".*Did you mean/);
    expect(await page.isHidden('#person')).toBe(true);
    await page.locator('#matches button').first().click();
    await expect.poll(() => page.textContent('#person-id')).toBe('4242');
  });

  it('tells the admin when the token is wrong', async () => {
    await page.getByLabel('Admin token').fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Use token' }).click();
    await expect.poll(() => page.textContent('#token-state')).toBe('Token rejected.');
    await expect.poll(() => page.textContent('#status-message')).toMatch(/not accepted/);
  });
});
