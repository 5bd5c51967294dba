import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Institution } from '../../testkit/institution/institution';
import type { SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { createFsClient, type FsClient } from '../../src/sources/fsClient';
import { SourceError } from '../../src/sources/http';
import { FAST_RETRY, FS_KEY, startSources, TP_KEY } from './fixture';

const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };
let institution: Institution;
let emulator: SourceEmulator;
let fs: FsClient;

beforeAll(async () => {
  ({ institution, emulator } = await startSources({ students: 300, pageSize: 7 }));
  fs = createFsClient({ baseUrl: emulator.fsBaseUrl, apiKey: FS_KEY, retry: FAST_RETRY });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.setFaults({});
  emulator.resetStats();
});

describe('FS client: persons', () => {
  it('reads a person, and null for one FS does not know', async () => {
    const s = institution.aStudent();
    expect(await fs.getPerson(s.personlopenummer)).toEqual({
      personId: s.personlopenummer,
      firstName: s.fornavn,
      lastName: s.etternavn,
      username: s.brukernavn,
      email: s.epost,
    });
    expect(await fs.getPerson('999999999')).toBeNull();
  });

  it('resolves a TP staff username to a person', async () => {
    const l = institution.aLecturer();
    expect(await fs.findByUsername(l.brukernavn)).toMatchObject({
      personId: l.personlopenummer,
      username: l.brukernavn,
    });
    expect(await fs.findByUsername('nobody-here')).toBeNull();
  });

  it('sees FS changes: removed person, e-mail gone', async () => {
    const [a, b] = [institution.aStudent(10), institution.aStudent(11)];
    institution.setEmail(a.personlopenummer, null);
    institution.removePerson(b.personlopenummer);
    expect((await fs.getPerson(a.personlopenummer))!.email).toBeNull();
    expect(await fs.getPerson(b.personlopenummer)).toBeNull();
  });
});

describe('FS client: lists', () => {
  it("follows next through every page of a course's registrations", async () => {
    const expected = institution.registrationsOfCourse(IN1000);
    expect(expected.length).toBeGreaterThan(14);
    const regs = await fs.registrationsForCourse(IN1000);
    expect(regs).toEqual(
      expected.map((r) => ({ personId: r.personlopenummer, course: IN1000, activities: r.aktiviteter })),
    );
    expect(emulator.stats().byRoute['fs.registrationsByCourse']).toBe(Math.ceil(expected.length / 7));
  });

  it("reads a student's registrations with their groups, and changes to them", async () => {
    const s = institution.aStudent(2);
    const regs = await fs.registrationsForPerson(s.personlopenummer, '26h');
    expect(regs.map((r) => r.course.courseId).sort()).toEqual(
      institution
        .registrationsOfPerson(s.personlopenummer, '26h')
        .map((r) => r.emne.kode)
        .sort(),
    );
    expect(regs.every((r) => r.course.semester === '26h' && r.activities.length === 1)).toBe(true);
    institution.setRegistration(s.personlopenummer, IN1000, ['2-2']);
    const after = await fs.registrationsForPerson(s.personlopenummer, '26h');
    expect(after.find((r) => r.course.courseId === 'IN1000')!.activities).toEqual(['2-2']);
    expect(await fs.registrationsForPerson(s.personlopenummer, '27v')).toEqual([]);
  });

  it('reads teaching roles by person and by course', async () => {
    const l = institution.aLecturer();
    const roles = await fs.rolesForPerson(l.personlopenummer, '26h');
    expect(roles.length).toBe(institution.rolesOfPerson(l.personlopenummer, '26h').length);
    expect(roles[0]).toMatchObject({ personId: l.personlopenummer, username: l.brukernavn, role: 'FORELESER' });
    const byCourse = await fs.rolesForCourse(IN1000);
    expect(byCourse.map((r) => r.personId)).toEqual(institution.rolesOfCourse(IN1000).map((r) => r.personlopenummer));
  });

  it('detects a paging loop', async () => {
    emulator.setFaults({ fsPagingLoop: true });
    const err = await fs.registrationsForCourse(IN1000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ code: 'SOURCE_PAGING_LOOP', course: IN1000 });
    // Every page once, then the way back to the first page is noticed without re-reading it.
    const pages = Math.ceil(institution.registrationsOfCourse(IN1000).length / 7);
    expect(pages).toBeGreaterThan(1);
    expect(emulator.stats().byRoute['fs.registrationsByCourse']).toBe(pages);
  });

  it('stops at the page cap', async () => {
    const capped = createFsClient({ baseUrl: emulator.fsBaseUrl, apiKey: FS_KEY, retry: FAST_RETRY, maxPages: 2 });
    await expect(capped.registrationsForCourse(IN1000)).rejects.toMatchObject({ code: 'SOURCE_PAGING_LOOP' });
  });

  it('fails on a malformed page rather than returning part of a list', async () => {
    for (const kind of ['envelope', 'json'] as const) {
      emulator.setFaults({ fsMalformed: kind });
      await expect(fs.registrationsForCourse(IN1000)).rejects.toMatchObject({ code: 'SOURCE_INVALID_RESPONSE' });
    }
  });

  it('retries a burst of 500s, and a persistent 500 is an error, never an empty list', async () => {
    const s = institution.aStudent(4);
    emulator.setFaults({ fs: { status: 500, count: 2, match: '/undervisningsmeldinger' } });
    expect((await fs.registrationsForPerson(s.personlopenummer, '26h')).length).toBeGreaterThan(0);
    emulator.setFaults({ fs: { status: 500, match: '/undervisningsmeldinger' } });
    await expect(fs.registrationsForPerson(s.personlopenummer, '26h')).rejects.toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      status: 500,
      personId: s.personlopenummer,
    });
    emulator.setFaults({ fs: { status: 500 } });
    await expect(fs.getPerson(s.personlopenummer)).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
  });

  it('is rejected with the wrong API key', async () => {
    const wrong = createFsClient({ baseUrl: emulator.fsBaseUrl, apiKey: TP_KEY, retry: FAST_RETRY });
    await expect(wrong.getPerson(institution.aStudent().personlopenummer)).rejects.toMatchObject({
      code: 'SOURCE_UNAUTHORIZED',
      status: 401,
    });
  });
});

describe('FS client against a misbehaving server', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; key: string | undefined }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', key: req.headers['x-gravitee-api-key'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: [], next: 'http://attacker.example/steal' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fs`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('never follows next to another origin (it would send the API key there)', async () => {
    const client = createFsClient({ baseUrl: base, apiKey: FS_KEY, retry: FAST_RETRY });
    await expect(client.rolesForCourse(IN1000)).rejects.toMatchObject({ code: 'SOURCE_INVALID_RESPONSE' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/fs/personroller?emnekode=IN1000&versjon=1&ar=2026&termin=H%C3%98ST');
  });
});
