import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Institution } from '../../testkit/institution/institution';
import type { SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { FS_KEY, startSources, TP_KEY } from '../sources/fixture';

const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };
let institution: Institution;
let emulator: SourceEmulator;

beforeAll(async () => {
  ({ institution, emulator } = await startSources({ students: 200, pageSize: 10 }));
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.setFaults({});
  emulator.resetStats();
});

const get = async (url: string, key: string | null) => {
  const res = await fetch(url, { headers: key === null ? {} : { 'X-Gravitee-Api-Key': key } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: body as any, headers: res.headers };
};
const tpCourse = (id: string, sem = '26h') =>
  `${emulator.tpBaseUrl}/ws/1.4/course.php?id=${id}&version=1&sem=${sem}&lang=nb`;

describe('source emulator: TP', () => {
  it('serves a course in the contract shape', async () => {
    const res = await get(tpCourse('IN1000'), TP_KEY);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      courseid: 'IN1000',
      courseversion: '1',
      semesterid: '26h',
      coursename: expect.any(String),
    });
    expect(res.body.events).toHaveLength(institution.courseEventCount(IN1000));
    expect(res.body.events[0]).toHaveProperty('teaching-title');
    expect(emulator.courseReads(IN1000)).toBe(1);
  });

  it('answers 404 for a course it does not know, and 401 without the right key', async () => {
    expect((await get(tpCourse('NOPE9999'), TP_KEY)).status).toBe(404);
    expect((await get(tpCourse('IN1000', '30v'), TP_KEY)).status).toBe(404);
    expect((await get(tpCourse('IN1000'), null)).status).toBe(401);
    expect((await get(tpCourse('IN1000'), FS_KEY)).status).toBe(401);
    expect(emulator.stats().unauthorized).toBe(2);
  });

  it('shows mutations straight away', async () => {
    const [first] = institution.courseEvents(IN1000)!;
    institution.setSummary(IN1000, first!.eventid, 'Flyttet til nytt rom');
    const res = await get(tpCourse('IN1000'), TP_KEY);
    expect(res.body.events.find((e: any) => e.eventid === first!.eventid).summary).toBe('Flyttet til nytt rom');
  });

  it('injects a burst of failures and then recovers', async () => {
    emulator.setFaults({ tp: { status: 503, count: 2 } });
    expect((await get(tpCourse('IN1000'), TP_KEY)).status).toBe(503);
    expect((await get(tpCourse('IN1000'), TP_KEY)).status).toBe(503);
    expect((await get(tpCourse('IN1000'), TP_KEY)).status).toBe(200);
    expect(emulator.stats()).toMatchObject({ faulted: 2, byRoute: { 'tp.course': 3 } });
  });

  it('sends Retry-After with an injected 429, only for matching requests', async () => {
    emulator.setFaults({ tp: { status: 429, retryAfterSeconds: 3, match: 'id=MAT1100' } });
    const throttled = await get(tpCourse('MAT1100'), TP_KEY);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect((await get(tpCourse('IN1000'), TP_KEY)).status).toBe(200);
  });

  it('serves malformed bodies on request', async () => {
    emulator.setFaults({ tpMalformed: 'json' });
    const html = await get(tpCourse('IN1000'), TP_KEY);
    expect(html.status).toBe(200);
    expect(typeof html.body).toBe('string');
    emulator.setFaults({ tpMalformed: 'events' });
    const bad = await get(tpCourse('IN1000'), TP_KEY);
    expect(bad.body.events.length).toBe(institution.courseEventCount(IN1000) + 5);
  });
});

describe('source emulator: FS', () => {
  it('serves persons by number and by username, 404 for unknown ones', async () => {
    const s = institution.aStudent();
    expect((await get(`${emulator.fsBaseUrl}/personer/${s.personlopenummer}`, FS_KEY)).body).toEqual(s);
    expect((await get(`${emulator.fsBaseUrl}/personer/1`, FS_KEY)).status).toBe(404);
    const byName = await get(`${emulator.fsBaseUrl}/personer?brukernavn=${s.brukernavn}`, FS_KEY);
    expect(byName.body).toEqual({ items: [s], next: null });
    expect((await get(`${emulator.fsBaseUrl}/personer/${s.personlopenummer}`, TP_KEY)).status).toBe(401);
  });

  it('pages lists with absolute next URLs', async () => {
    const expected = institution.registrationsOfCourse(IN1000);
    expect(expected.length).toBeGreaterThan(10);
    const items: unknown[] = [];
    let url: string | null =
      `${emulator.fsBaseUrl}/undervisningsmeldinger?emnekode=IN1000&versjon=1&ar=2026` +
      `&termin=${encodeURIComponent('HØST')}`;
    let pages = 0;
    while (url) {
      const page = await get(url, FS_KEY);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(10);
      items.push(...page.body.items);
      url = page.body.next;
      if (url) expect(url.startsWith(`${emulator.url}/fs/undervisningsmeldinger?`)).toBe(true);
      pages++;
    }
    expect(items).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 10));
    expect(emulator.stats().byRoute['fs.registrationsByCourse']).toBe(pages);
  });

  it('serves registrations and roles of a person', async () => {
    const s = institution.aStudent(1);
    const q = `personlopenummer=${s.personlopenummer}&ar=2026&termin=H%C3%98ST`;
    expect((await get(`${emulator.fsBaseUrl}/undervisningsmeldinger?${q}`, FS_KEY)).body.items).toEqual(
      institution.registrationsOfPerson(s.personlopenummer, '26h'),
    );
    const l = institution.aLecturer();
    const roles = await get(
      `${emulator.fsBaseUrl}/personroller?personlopenummer=${l.personlopenummer}&ar=2026&termin=H%C3%98ST`,
      FS_KEY,
    );
    expect(roles.body.items).toEqual(institution.rolesOfPerson(l.personlopenummer, '26h'));
    const byCourse = await get(
      `${emulator.fsBaseUrl}/personroller?emnekode=IN1000&versjon=1&ar=2026&termin=H%C3%98ST`,
      FS_KEY,
    );
    expect(byCourse.body.items).toEqual(institution.rolesOfCourse(IN1000));
    expect(
      (await get(`${emulator.fsBaseUrl}/undervisningsmeldinger?personlopenummer=1&ar=2026&termin=SOMMER`, FS_KEY))
        .status,
    ).toBe(400);
  });

  it('can make the last page point back at the first', async () => {
    emulator.setFaults({ fsPagingLoop: true });
    const s = institution.aStudent();
    const url = `${emulator.fsBaseUrl}/personer?brukernavn=${s.brukernavn}`;
    const page = await get(url, FS_KEY);
    expect(page.body.next).toBe(url);
  });
});
