import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openApiDocument } from '../../src/admin/openapi';
import { startAdminServer, type AdminServer } from '../../src/admin/server';
import { personJobHandler } from '../../src/app/jobHandler';
import { isTransient } from '../../src/sync/errors';
import { WorkerPool } from '../../src/jobs/workerPool';
import { silentLogger } from '../../src/log/logger';
import { ADMIN_TOKEN, startHarness, type Harness } from '../../testkit/support/harness';
import { OpenApiChecker } from '../../testkit/support/openApiCheck';
import { launchChromium } from './browser';

/**
 * The admin side end to end: the API and the page in front of a real worker pool, kada's TP/FS
 * clients against the source emulator, and Graph (with its token endpoint) emulated.
 */
let h: Harness;
let pool: WorkerPool;
let server: AdminServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

vi.setConfig({ expect: { poll: { timeout: 30_000, interval: 100 } } });

/** Every API answer here is checked against the OpenAPI document too (as in api.test.ts). */
const openApi = new OpenApiChecker(openApiDocument as never);
afterEach(() => {
  const problems = openApi.problems;
  openApi.problems = [];
  expect(problems, 'answers that do not match the OpenAPI document').toEqual([]);
});

const api = async (method: string, url: string) => {
  const res = await fetch(`${server.url}${url}`, { method, headers: auth });
  const text = await res.text();
  openApi.check({
    method,
    url,
    status: res.status,
    contentType: res.headers.get('content-type') ?? undefined,
    body: text,
  });
  return { status: res.status, body: JSON.parse(text) };
};

async function untilFinished(jobId: string) {
  let job: { state: string } = { state: 'queued' };
  await expect
    .poll(async () => {
      job = (await api('GET', `/api/jobs/${jobId}`)).body;
      return job.state;
    })
    .toMatch(/^(done|failed)$/);
  return job as { state: string; result: Record<string, any>; lastError: string | null };
}

beforeAll(async () => {
  h = await startHarness({ seed: 5, students: 30 });
  pool = new WorkerPool({
    db: h.ctx.db,
    concurrency: 2,
    handler: personJobHandler(h.ctx),
    isTransient,
    logger: silentLogger,
    metrics: h.ctx.metrics,
    pollMs: 250,
  });
  pool.start();
  server = await startAdminServer(h.ctx, {
    port: 0,
    host: '127.0.0.1',
    isReady: async () => ({ database: true, broker: true }),
    wakeWorkers: () => pool.wakeAll(),
  });
  browser = await launchChromium();
  page = await browser.context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await pool?.stop(5_000);
  await h?.close();
});

describe('admin side end to end', () => {
  it('rebuilds through the API: the job runs, the calendar fills, the diff empties, the metrics move', async () => {
    const s = h.institution.aStudent(1);
    const expected = h.institution.timetableOf(s.personlopenummer, '26h').length;
    expect(expected).toBeGreaterThan(0);

    const queued = await api('POST', `/api/persons/${s.brukernavn}/rebuild`);
    expect(queued.status).toBe(202);
    const job = await untilFinished(queued.body.jobId);
    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({
      outcome: 'synced',
      eventCount: expected,
      written: { creates: expected, updates: 0, deletes: 0 },
    });

    const mailbox = s.epost!.toLowerCase();
    expect(h.microsoft.graph.events(mailbox).filter((e) => e.createdBy === 'app')).toHaveLength(expected);
    const person = (await api('GET', `/api/persons/${s.personlopenummer}`)).body;
    expect(person).toMatchObject({ status: 'active', eventCount: expected, lastError: null, mailbox });
    expect(new Date(person.lastSync).getTime()).toBeGreaterThan(0);
    expect(person.recentJobs[0]).toMatchObject({ jobId: queued.body.jobId, state: 'done' });

    const diff = (await api('GET', `/api/persons/${s.personlopenummer}/diff`)).body;
    expect(diff.counts).toEqual({ creates: 0, updates: 0, deletes: 0 });
    const graphDiff = (await api('GET', `/api/persons/${s.personlopenummer}/diff?against=graph`)).body;
    expect(graphDiff.counts).toEqual({ creates: 0, updates: 0, deletes: 0 });

    // A user deletes one in Outlook: the diff against Graph sees it, the one against the store does not.
    h.microsoft.graph.userDelete(mailbox, h.microsoft.graph.events(mailbox)[0]!.id);
    expect((await api('GET', `/api/persons/${s.personlopenummer}/diff?against=graph`)).body.counts).toEqual({
      creates: 1,
      updates: 0,
      deletes: 0,
    });

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(metrics)?.[1] ?? NaN);
    expect(value(/^kada_graph_writes_total\{kind="create"\} (\S+)$/m)).toBe(expected);
    expect(value(/^kada_jobs_finished_total\{outcome="done"\} (\S+)$/m)).toBe(1);
    // kada_jobs counts the queue (queued, running); finished jobs are kada_jobs_finished_total.
    expect(value(/^kada_jobs\{state="queued"\} (\S+)$/m)).toBe(0);
    expect(value(/^kada_jobs\{state="running"\} (\S+)$/m)).toBe(0);
    expect(value(/^kada_sync_duration_seconds_count (\S+)$/m)).toBe(1);

    const status = (await api('GET', '/api/status')).body;
    expect(status.queue).toMatchObject({ queued: 0, running: 0, done: 1 });
    expect(status.graph.writer.writes.create).toBe(expected);
    expect(status.graph.throttled).toBe(0);
  });

  it('records a person without a mailbox as an error the admin can see', async () => {
    const p = h.institution.addPerson({ fornavn: 'Uten', etternavn: 'Postkasse', brukernavn: 'utenpost', epost: null });
    const job = await untilFinished((await api('POST', `/api/persons/${p.personlopenummer}/rebuild`)).body.jobId);
    expect(job.state).toBe('done');
    const errors = (await api('GET', `/api/errors?person=${p.personlopenummer}`)).body.errors;
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'person', code: 'PERSON_NO_MAILBOX', personId: p.personlopenummer }),
    ]);
    expect((await api('GET', '/api/status')).body.errors.last24h).toEqual({ person: 1 });
  });

  it('in the browser: token, search, Rebuild now, the job finishes and the event count shows', async () => {
    const s = h.institution.aStudent(2);
    const expected = h.institution.timetableOf(s.personlopenummer, '26h').length;
    await page.goto(server.url);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByLabel('Personlopenummer, username or e-mail').fill(s.brukernavn);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.textContent('#person-id')).toBe(s.personlopenummer);
    expect(await page.textContent('#event-count')).toBe('0');
    await expect
      .poll(() => page.textContent('#diff-summary'))
      .toContain(`${expected} to create, 0 to update, 0 to delete`);

    await page.getByRole('button', { name: 'Rebuild now' }).click();
    await expect.poll(() => page.textContent('#job-text')).toMatch(/^Rebuild done: /);
    expect(await page.textContent('#job-text')).toBe(
      `Rebuild done: ${expected} created, 0 updated, 0 deleted; ${expected} events in the calendar.`,
    );
    await expect.poll(() => page.textContent('#event-count')).toBe(String(expected));
    await expect.poll(() => page.textContent('#diff-summary')).toMatch(/^In step/);
    expect(h.microsoft.graph.events(s.epost!.toLowerCase()).filter((e) => e.createdBy === 'app')).toHaveLength(
      expected,
    );
    await expect.poll(() => page.textContent('#st-errors')).toBe('person: 1');
    await expect.poll(() => page.locator('#errors').textContent()).toContain('PERSON_NO_MAILBOX');

    // docs/admin-page.png is written when missing or when UPDATE_SCREENSHOTS=1; otherwise .tmp/, so
    // ordinary test runs leave the working tree alone.
    const root = path.resolve(__dirname, '../..');
    const docs = path.join(root, 'docs/admin-page.png');
    const target =
      !existsSync(docs) || process.env.UPDATE_SCREENSHOTS === '1' ? docs : path.join(root, '.tmp/admin-page.png');
    mkdirSync(path.dirname(target), { recursive: true });
    await page.screenshot({ path: target, fullPage: true });
    expect(existsSync(target)).toBe(true);
  });
});
