import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/admin/server';
import { courseKey, type CourseRef } from '../../src/domain/types';
import { refreshCourse } from '../../src/sync/loadCourses';
import { ADMIN_TOKEN, startHarness, type Harness } from '../../testkit/support/harness';
import { icsOccurrences } from '../../testkit/support/icsView';
import type { Queryable } from '../../src/store/queryable';

/**
 * The feed over HTTP (rooms-ics.md "ICS feeds"): token lifecycle, caching headers, SEQUENCE and
 * DTSTAMP, TP staff without an FS record, what an unknown token gets, and source outages.
 */
let h: Harness;
let app: FastifyInstance;
const BASE = 'https://timeplan.example.org';
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  h = await startHarness({ seed: 5, students: 30, env: { ICS_BASE_URL: `${BASE}/` } });
  app = await buildAdminApp(h.ctx, { isReady: async () => ({ database: true, broker: true }) });
});
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const create = (person: string) => app.inject({ method: 'POST', url: `/api/persons/${person}/ics`, headers: auth });
const revoke = (person: string) => app.inject({ method: 'DELETE', url: `/api/persons/${person}/ics`, headers: auth });
const fetchFeed = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: url.replace(BASE, ''), headers });
const urlOf = async (person: string) => {
  const res = await create(person);
  expect(res.statusCode).toBe(201);
  return res.json().url as string;
};

describe('ICS feed lifecycle', () => {
  it('prints the same URL while active, 404 after revoke, then a new URL; only a hash is stored', async () => {
    const s = h.institution.aStudent(1);
    const url = await urlOf(s.brukernavn);
    expect(url).toMatch(new RegExp(`^${BASE}/ics/[A-Za-z0-9_-]{43}\\.ics$`));
    expect(await urlOf(s.personlopenummer)).toBe(url);
    expect(await urlOf(encodeURIComponent(s.epost!))).toBe(url);
    const token = /\/ics\/(.+)\.ics$/.exec(url)![1]!;
    // Only the hash of the token is kept: the token itself is in no column.
    const [{ n }] = await h.ctx.db.query(`SELECT count(*)::int AS n FROM ics_feeds WHERE ics_feeds::text LIKE $1`, [
      `%${token}%`,
    ]);
    expect(n).toBe(0);
    const [row] = await h.ctx.db.query(
      `SELECT subject FROM ics_feeds WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
      [token],
    );
    expect(row.subject).toBe(s.personlopenummer);

    expect((await fetchFeed(url)).statusCode).toBe(200);
    expect((await revoke(s.brukernavn)).statusCode).toBe(204);
    const gone = await fetchFeed(url);
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toBe('Not Found\n');
    const again = await urlOf(s.brukernavn);
    expect(again).not.toBe(url);
    expect((await fetchFeed(again)).statusCode).toBe(200);
    expect((await fetchFeed(url)).statusCode).toBe(404);
  });

  it('answers 404 for a person nobody knows, and 401 without the admin token', async () => {
    expect((await create('nobody-here')).statusCode).toBe(404);
    expect((await create('tp:nobody-here')).statusCode).toBe(404);
    const s = h.institution.aStudent(2);
    expect((await app.inject({ method: 'POST', url: `/api/persons/${s.brukernavn}/ics` })).statusCode).toBe(401);
  });
});

describe('kada ics create / revoke', () => {
  const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');
  const kada = (...args: string[]) =>
    promisify(execFile)('node', [cli, ...args], { env: { ...process.env, ...h.env, ICS_BASE_URL: BASE } });

  it('prints the URL the API gives, the same one again, and a new one after revoke; exit 1 for nobody', async () => {
    const s = h.institution.aStudent(10);
    const printed = (await kada('ics', 'create', s.brukernavn)).stdout.trim();
    expect(printed).toMatch(new RegExp(`^${BASE}/ics/[A-Za-z0-9_-]{43}\\.ics$`));
    expect(await urlOf(s.personlopenummer)).toBe(printed);
    expect(JSON.parse((await kada('ics', 'create', s.personlopenummer, '--json')).stdout)).toEqual({
      url: printed,
      created: false,
    });
    expect((await kada('ics', 'revoke', s.brukernavn)).stdout).toBe('feed revoked\n');
    expect((await fetchFeed(printed)).statusCode).toBe(404);
    const next = (await kada('ics', 'create', s.brukernavn)).stdout.trim();
    expect(next).not.toBe(printed);
    const err = await kada('ics', 'create', 'nobody-at-all').then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('unknown person: nobody-at-all');
  });
});

describe('GET /ics/<token>.ics', () => {
  it('serves text/calendar with an ETag, answers If-None-Match with 304, may be cached 5 minutes', async () => {
    const s = h.institution.aStudent(3);
    const res = await fetchFeed(await urlOf(s.personlopenummer));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['cache-control']).toBe('max-age=300');
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(icsOccurrences(res.body)).toHaveLength(h.institution.timetableOf(s.personlopenummer, '26h').length);

    const url = await urlOf(s.personlopenummer);
    const cached = await fetchFeed(url, { 'if-none-match': etag });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    expect(cached.headers.etag).toBe(etag);
    expect((await fetchFeed(url, { 'if-none-match': `"other", W/${etag}` })).statusCode).toBe(304);
    const full = await fetchFeed(url, { 'if-none-match': '"other"' });
    expect(full.statusCode).toBe(200);
    expect(full.body).toBe(res.body);
  });

  it('raises SEQUENCE and DTSTAMP of exactly the VEVENT TP changed, keeps both (and the ETag) otherwise', async () => {
    const s = h.institution.aStudent(4);
    const url = await urlOf(s.personlopenummer);
    const first = await fetchFeed(url);
    const before = icsOccurrences(first.body);
    const second = await fetchFeed(url);
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);

    const mine = h.institution.timetableOf(s.personlopenummer, '26h')[0]!;
    const changedUid = `tp:26h:${mine.course.courseId},${mine.course.version}:${mine.eventid}@uio`;
    await new Promise((r) => setTimeout(r, 1100)); // DTSTAMP has whole seconds
    h.institution.setSummary(mine.course, mine.eventid, 'Ekstra repetisjon');
    await refreshCourse(h.ctx.db, h.ctx.tp, mine.course); // what the planner does on TP's notification

    const third = await fetchFeed(url, { 'if-none-match': first.headers.etag as string });
    expect(third.statusCode).toBe(200);
    const after = icsOccurrences(third.body);
    const was = before.find((o) => o.uid === changedUid)!;
    const now = after.find((o) => o.uid === changedUid)!;
    expect(now.subject).toContain('Ekstra repetisjon');
    expect(now.sequence).toBe(was.sequence + 1);
    expect(now.stamp > was.stamp).toBe(true);
    const rest = (list: typeof before) =>
      list.filter((o) => o.uid !== changedUid).map((o) => [o.uid, o.start, o.sequence, o.stamp]);
    expect(rest(after)).toEqual(rest(before));
  });

  it('gives TP staff without an FS record (tp:<username>) a feed of the occurrences naming them', async () => {
    const course = h.institution.courses('26h')[0]!;
    const ref: CourseRef = { courseId: course.ref.courseId, version: course.ref.version, semester: '26h' };
    const guest = h.institution.addPerson({
      fornavn: 'Gjest',
      etternavn: 'Foreleser',
      brukernavn: 'gjestfor',
      epost: null,
    });
    const added = [0, 1, 2].map((i) =>
      h.institution.addEvent(ref, {
        dtstart: `2026-11-${10 + i}T12:15:00+01:00`,
        dtend: `2026-11-${10 + i}T14:00:00+01:00`,
        title: 'Gjesteforelesning',
        staffUsernames: ['gjestfor'],
      }),
    );
    h.institution.removePerson(guest.personlopenummer); // FS forgets them; TP still names them
    await refreshCourse(h.ctx.db, h.ctx.tp, ref);
    expect((await create('gjestfor')).statusCode).toBe(404);
    const res = await fetchFeed(await urlOf('tp:GjestFor'));
    expect(res.statusCode).toBe(200);
    const seen = icsOccurrences(res.body);
    expect(seen.map((o) => o.uid).sort()).toEqual(added.map((e) => `tp:${courseKey(ref)}:${e.eventid}@uio`).sort());
    expect(seen.every((o) => o.subject.includes('Gjesteforelesning'))).toBe(true);
  });

  it('keeps the last good feed when a source fails, and answers 503 when there is none yet', async () => {
    const s = h.institution.aStudent(6);
    const url = await urlOf(s.personlopenummer);
    const good = await fetchFeed(url);
    expect(good.statusCode).toBe(200);
    // A TP change makes the next request build again, while FS and TP both fail.
    const mine = h.institution.timetableOf(s.personlopenummer, '26h')[0]!;
    await h.ctx.db.query(
      `UPDATE tp_courses SET fetched_at = now() - interval '2 hours' WHERE semester = $1 AND course_id = $2`,
      [mine.course.semester, mine.course.courseId],
    );
    await h.ctx.db.query(`UPDATE ics_feeds SET enrolment_at = now() - interval '2 hours'`);
    const neverBuilt = await urlOf(h.institution.aStudent(7).personlopenummer);
    h.sources.setFaults({ fs: { status: 503 }, tp: { status: 503 } });
    try {
      const during = await fetchFeed(url);
      expect(during.statusCode).toBe(200);
      expect(during.body).toBe(good.body);
      const fresh = await fetchFeed(neverBuilt);
      expect(fresh.statusCode).toBe(503);
      expect(fresh.headers['retry-after']).toBe('60');
    } finally {
      h.sources.setFaults({});
    }
    expect(icsOccurrences((await fetchFeed(url)).body).length).toBe(icsOccurrences(good.body).length);
  });
});

describe('token guessing', () => {
  it('answers every unknown token alike, after the same single look-up', async () => {
    const s = h.institution.aStudent(8);
    const url = await urlOf(s.personlopenummer);
    const token = /\/ics\/(.+)\.ics$/.exec(url)![1]!;
    const revokedUrl = await urlOf(h.institution.aStudent(9).personlopenummer);
    await revoke(h.institution.aStudent(9).personlopenummer);
    const flip = (t: string) => (t[0] === 'A' ? 'B' : 'A') + t.slice(1);
    const guesses = [
      ...Array.from({ length: 20 }, () => `/ics/${randomBytes(32).toString('base64url')}.ics`),
      `/ics/${flip(token)}.ics`,
      `/ics/${token.slice(0, 42)}.ics`,
      `/ics/${token}x.ics`,
      `/ics/${token}`,
      `/ics/${token.toUpperCase()}.ics`,
      '/ics/.ics',
      '/ics/%00.ics',
      `/ics/${'a'.repeat(900)}.ics`,
      revokedUrl.replace(BASE, ''),
    ];
    // Count the database work of each request: one look-up by hash, the same statement every time.
    const db = h.ctx.db as Queryable;
    const original = db.query.bind(db);
    const statements: string[] = [];
    db.query = (sql: string, params?: unknown[]) => {
      statements.push(sql);
      return original(sql, params);
    };
    const answers: string[] = [];
    try {
      for (const g of guesses) {
        statements.length = 0;
        const res = await app.inject({ method: 'GET', url: g });
        const { date: _d, ...headers } = res.headers;
        answers.push(JSON.stringify({ status: res.statusCode, headers, body: res.body }));
        expect(statements, g).toHaveLength(1);
        expect(statements[0]).toMatch(/FROM ics_feeds WHERE token_hash = \$1/);
      }
    } finally {
      db.query = original;
    }
    expect(new Set(answers).size).toBe(1);
    expect(JSON.parse(answers[0]!).status).toBe(404);
    expect(JSON.parse(answers[0]!).body).toBe('Not Found\n');
    expect((await fetchFeed(url)).statusCode).toBe(200);
  });
});
