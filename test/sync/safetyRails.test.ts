import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/admin/server';
import type { AppContext } from '../../src/app/context';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { courseKey, type CourseRef } from '../../src/domain/types';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { ADMIN_TOKEN, startHarness, type Harness } from '../../testkit/support/harness';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** Issue 15: confirmation before wipe-outs (tp.md, fs.md) and the deletion guard (service.md KADA_DELETE_GUARD). */
describe('safety rails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 29, students: 40 });
  }, 120_000);
  afterAll(async () => h?.close());

  const students = () => h.institution.students().filter((s) => s.epost);
  const kadaKeys = (mailbox: string) =>
    h.microsoft.graph
      .events(mailbox)
      .filter((e) => e.extendedProperties[OWNER_PROP])
      .map((e) => e.extendedProperties[KEY_PROP] ?? e.id);
  const storedOf = async (personId: string, course: CourseRef) =>
    (
      await h.ctx.db.query(
        `SELECT count(*)::int AS n FROM synced_events
          WHERE person_id = $1 AND semester = $2 AND course_id = $3 AND course_version = $4`,
        [personId, course.semester, course.courseId, course.version],
      )
    )[0].n as number;
  const backdate = (subject: string, minutes: number) =>
    h.ctx.db.query(`UPDATE wipe_sightings SET first_seen_at = now() - make_interval(mins => $2) WHERE subject = $1`, [
      subject,
      minutes,
    ]);
  const courseOf = (personId: string): CourseRef => h.institution.timetableOf(personId, '26h')[0]!.course;

  it('empties a course TP answers 404 (JSON) for only when TP says so again 15 minutes later', async () => {
    const s = students()[0]!;
    await syncPerson(h.ctx, s.personlopenummer);
    const course = courseOf(s.personlopenummer);
    const before = await storedOf(s.personlopenummer, course);
    expect(before).toBeGreaterThan(0);
    h.sources.setFaults({ tp: { status: 404, match: `id=${course.courseId}&` } });
    try {
      const first = await syncPerson(h.ctx, s.personlopenummer, { courseMaxAgeMs: 0 });
      expect(first.written.deletes).toBe(0);
      expect(await storedOf(s.personlopenummer, course)).toBe(before);
      const [sighting] = await h.ctx.db.query(`SELECT kind, subject FROM wipe_sightings`);
      expect(sighting).toEqual({ kind: 'course', subject: courseKey(course) });
      // A look is queued for when the second sighting can confirm it.
      const [later] = await h.ctx.db.query(
        `SELECT run_at > now() + interval '14 minutes' AS later FROM jobs WHERE person_id = $1 AND state = 'queued'`,
        [s.personlopenummer],
      );
      expect(later?.later).toBe(true);
      await backdate(courseKey(course), 15);
      const second = await syncPerson(h.ctx, s.personlopenummer, { courseMaxAgeMs: 0 });
      expect(second.written.deletes).toBe(before);
      expect(await storedOf(s.personlopenummer, course)).toBe(0);
      expect(await h.ctx.db.query(`SELECT * FROM wipe_sightings`)).toEqual([]);
    } finally {
      h.sources.setFaults({});
    }
  });

  it('forgets a sighting TP contradicts, and a forced rebuild acts at once', async () => {
    const s = students()[1]!;
    await syncPerson(h.ctx, s.personlopenummer, { courseMaxAgeMs: 0 });
    const course = courseOf(s.personlopenummer);
    h.sources.setFaults({ tp: { status: 404, match: `id=${course.courseId}&` } });
    await refreshCourse(h.ctx.db, h.ctx.tp, course);
    expect((await h.ctx.db.query(`SELECT * FROM wipe_sightings`)).length).toBe(1);
    h.sources.setFaults({});
    await refreshCourse(h.ctx.db, h.ctx.tp, course);
    expect(await h.ctx.db.query(`SELECT * FROM wipe_sightings`)).toEqual([]);

    h.sources.setFaults({ tp: { status: 404, match: `id=${course.courseId}&` } });
    try {
      const r = await syncPerson(h.ctx, s.personlopenummer, { courseMaxAgeMs: 0, confirmNow: true });
      expect(r.written.deletes).toBeGreaterThan(0);
      expect(await storedOf(s.personlopenummer, course)).toBe(0);
    } finally {
      h.sources.setFaults({});
    }
    await syncPerson(h.ctx, s.personlopenummer, { courseMaxAgeMs: 0 });
  });

  it('holds source-removal deletions beyond KADA_DELETE_GUARD; release and drop them by API and CLI', async () => {
    const ctx: AppContext = { ...h.ctx, config: { ...h.ctx.config, deleteGuard: 2 } };
    const [a, b] = [students()[2]!, students()[3]!];
    for (const p of [a, b]) await syncPerson(ctx, p.personlopenummer, { courseMaxAgeMs: 0 });
    const heldCount = async () =>
      (await h.ctx.db.query(`SELECT count(*)::int AS n FROM held_deletes WHERE released_at IS NULL`))[0].n as number;
    await h.ctx.db.query(`DELETE FROM delete_guard_hours`);

    // a leaves FS (confirmed by a forced rebuild): 2 deletions run this hour, the rest are held.
    const aEvents = kadaKeys(a.epost!).length;
    expect(aEvents).toBeGreaterThan(3);
    h.institution.removePerson(a.personlopenummer);
    const ra = await syncPerson(ctx, a.personlopenummer, { confirmNow: true });
    expect(ra.outcome).toBe('gone');
    expect(ra.written.deletes).toBe(2);
    expect(kadaKeys(a.epost!).length).toBe(aEvents - 2);
    expect(await heldCount()).toBe(aEvents - 2);
    const errors = await h.ctx.db.query(`SELECT code FROM errors WHERE person_id = $1`, [a.personlopenummer]);
    expect(errors.map((e: { code: string }) => e.code)).toContain('DELETES_HELD');

    // b loses a registration: held too (the guard waits for an operator); a move or an update is never held.
    const course = courseOf(b.personlopenummer);
    const bCourse = await storedOf(b.personlopenummer, course);
    expect(bCourse).toBeGreaterThan(0);
    const groups = h.institution
      .registrationsOfPerson(b.personlopenummer, '26h')
      .find((r) => r.emne.kode === course.courseId)!.aktiviteter;
    h.institution.removeRegistration(b.personlopenummer, course);
    // (a reconcile, as the nightly run: the records of held deletions stay, so a release can still find them)
    const rb = await syncPerson(ctx, b.personlopenummer, { mode: 'reconcile' });
    expect(rb.written.deletes).toBe(0);
    expect(await heldCount()).toBe(aEvents - 2 + bCourse);
    expect(await storedOf(b.personlopenummer, course)).toBe(bCourse);

    const app = await buildAdminApp(ctx, { isReady: async () => ({ database: true, broker: true }) });
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    try {
      expect((await app.inject({ method: 'GET', url: '/api/deletes' })).statusCode).toBe(401);
      const listed = (await app.inject({ method: 'GET', url: '/api/deletes', headers: auth })).json();
      expect(listed).toMatchObject({ held: aEvents - 2 + bCourse, persons: 2 });
      const status = (await app.inject({ method: 'GET', url: '/api/status', headers: auth })).json();
      expect(status.safety.deletes.held).toBe(aEvents - 2 + bCourse);

      const env = { ...process.env, DATABASE_URL: h.db.url };
      const shown = JSON.parse((await run('node', [cli, 'deletes', '--json'], { env })).stdout);
      expect(shown.held).toBe(aEvents - 2 + bCourse);
      const both = await run('node', [cli, 'deletes', '--release', '--drop'], { env }).catch((e) => e);
      expect(both.code).toBe(2);

      // Drop: forgotten, the persons are checked again; what the sources still ask for is held anew.
      const dropped = (await app.inject({ method: 'POST', url: '/api/deletes/drop', headers: auth })).json();
      expect(dropped).toMatchObject({ action: 'drop', deletes: aEvents - 2 + bCourse, persons: 2 });
      expect(await heldCount()).toBe(0);
      // b is registered again meanwhile: their held deletions vanish on the next sync.
      h.institution.setRegistration(b.personlopenummer, course, groups);
      await syncPerson(ctx, b.personlopenummer);
      await syncPerson(ctx, a.personlopenummer);
      expect(await heldCount()).toBe(aEvents - 2);

      // Release by the CLI: a's next job executes them.
      const released = JSON.parse((await run('node', [cli, 'deletes', '--release', '--json'], { env })).stdout);
      expect(released).toMatchObject({ action: 'release', deletes: aEvents - 2, persons: 1 });
      const again = await syncPerson(ctx, a.personlopenummer);
      expect(again.written.deletes).toBe(aEvents - 2);
      expect(kadaKeys(a.epost!)).toEqual([]);
      expect((await app.inject({ method: 'GET', url: '/api/deletes', headers: auth })).json()).toMatchObject({
        held: 0,
        released: 0,
        items: [],
      });
    } finally {
      await app.close();
    }
  });
});
