import { startAdminServer } from '../../src/admin/server';
import type { CourseRef } from '../../src/domain/types';
import { createFeed } from '../../src/ics/feedLifecycle';
import { refreshCourse } from '../../src/sync/loadCourses';
import { generateInstitution } from '../../testkit/institution/institution';
import type { BenchOptions } from '../benchContext';
import { startBenchEnvironment } from '../environment';
import { millis, num, ratio, type Section } from '../report';

/**
 * 22. ICS feed response time: one person with 200 occurrences, their feed fetched over real HTTP from
 * kada's admin server. The goal is the p99 of a client's revalidation (If-None-Match, answered 304
 * from the stored build); beside it the full 200 from the stored build, a build from the sources on
 * every request (what the cache saves), and GET /healthz on the same server as the floor of the
 * HTTP stack, all in the same run.
 */

const OCCURRENCES = 200;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function timed(n: number, before: () => Promise<unknown>, request: () => Promise<Response>) {
  const ms: number[] = [];
  let status = 0;
  for (let i = 0; i < n; i++) {
    await before();
    const t0 = performance.now();
    const res = await request();
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    status = res.status;
  }
  ms.sort((a, b) => a - b);
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), status };
}

export async function icsFeed(opts: BenchOptions, log: (m: string) => void): Promise<Section> {
  const institution = generateInstitution({ seed: opts.seed, students: 20, semesters: ['26h'], institution: 'bench' });
  const env = await startBenchEnvironment({
    institution,
    latencyMs: 0,
    concurrencyLimit: opts.concurrency,
    databaseUrl: opts.databaseUrl,
    amqpUrl: opts.amqpUrl,
  });
  const server = await startAdminServer(env.ctx, {
    port: 0,
    host: '127.0.0.1',
    isReady: async () => ({ database: true, broker: true }),
  });
  try {
    const { ctx } = env;
    const person = institution.students().find((s) => institution.timetableOf(s.personlopenummer, '26h').length > 0)!;
    const id = person.personlopenummer;
    // Extra lectures in one of their courses until they have exactly OCCURRENCES.
    const reg = institution.registrationsOfPerson(id, '26h')[0]!;
    const ref: CourseRef = { courseId: reg.emne.kode, version: reg.emne.versjon, semester: '26h' };
    for (let i = 0; institution.timetableOf(id, '26h').length < OCCURRENCES; i++) {
      const day = new Date(Date.UTC(2026, 8, 1) + (i % 90) * 86_400_000).toISOString().slice(0, 10);
      const hour = 18 + Math.floor(i / 90);
      institution.addEvent(ref, { dtstart: `${day}T${hour}:15:00+02:00`, dtend: `${day}T${hour}:55:00+02:00` });
    }
    for (const c of institution.courses('26h')) await refreshCourse(ctx.db, ctx.tp, c.ref);
    const { url } = await createFeed(ctx, id);
    const path = new URL(url).pathname;
    const get = (headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
    const first = await get();
    const body = await first.text();
    const etag = first.headers.get('etag') ?? '';
    const occurrences = (body.match(/^BEGIN:VEVENT/gm) ?? []).length;
    log(`22: feed of ${occurrences} VEVENTs, ${num(body.length / 1024)} KiB`);

    const none = async () => undefined;
    const n = 300;
    for (let i = 0; i < 20; i++) await (await get({ 'if-none-match': etag })).arrayBuffer(); // warm-up
    const health = await timed(n, none, () => fetch(`${server.url}/healthz`));
    // One trivial statement through the same pool: the database's share of any answer right now.
    const statement = await timed(n, none, async () => {
      await ctx.db.query('SELECT 1');
      return new Response('');
    });
    const revalidate = await timed(n, none, () => get({ 'if-none-match': etag }));
    const full = await timed(n, none, () => get());
    const rebuild = await timed(
      30,
      () => ctx.db.query(`UPDATE ics_feeds SET sources = NULL`),
      () => get(),
    );
    const goalMs = 50;
    return {
      id: '22',
      title: 'ICS feed',
      rows: [
        {
          scenario: 'ICS feed',
          measure: `revalidation p99 (If-None-Match → ${revalidate.status}), ${occurrences} occurrences`,
          value: `${millis(revalidate.p99)} (p50 ${millis(revalidate.p50)})`,
          reference:
            `GET /healthz p99 ${millis(health.p99)} (p50 ${millis(health.p50)}) + one SELECT 1 ` +
            `p99 ${millis(statement.p99)} (p50 ${millis(statement.p50)})`,
          ratio: ratio(revalidate.p99, health.p99 + statement.p99),
          goal: `p99 < ${goalMs} ms`,
          met: revalidate.p99 < goalMs && revalidate.status === 304,
        },
        {
          scenario: 'ICS feed',
          measure: `full feed p99 (${full.status}, ${num(body.length / 1024)} KiB) from the stored build`,
          value: `${millis(full.p99)} (p50 ${millis(full.p50)})`,
          reference: `built from the sources on every request: p99 ${millis(rebuild.p99)} (p50 ${millis(rebuild.p50)})`,
          ratio: ratio(full.p99, rebuild.p99),
        },
      ],
      notes: [
        `22: one student topped up to ${OCCURRENCES} occurrences; ${n} sequential requests per figure over HTTP on ` +
          'loopback, after 20 warm-up requests; the rebuild figure forgets the stored fingerprint before each of 30 ' +
          'requests (FS is not read again: its part is still fresh).',
      ],
    };
  } finally {
    await server.close();
    await env.close();
  }
}
