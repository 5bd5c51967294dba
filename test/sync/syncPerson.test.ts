import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HASH_PROP, KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { eventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import type { CourseRef } from '../../src/domain/types';
import { setOptOut } from '../../src/store/persons';
import { recentErrors } from '../../src/store/errors';
import { loadCourses, refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/** Core sync against real Postgres and the emulators (issue: core sync, "Done when"). */
describe('syncPerson', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 7, students: 60 });
  });
  afterAll(async () => h?.close());

  const graph = () => h.microsoft.graph;
  const writes = () => {
    const w = graph().stats().writes;
    return w.create + w.update + w.delete;
  };
  const kadaEvents = (mailbox: string) =>
    graph()
      .events(mailbox)
      .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');
  const expectedKeys = (personId: string) =>
    h.institution
      .timetableOf(personId, '26h')
      .map((t) => eventKey(t.course, t.eventid))
      .sort();

  it('gives a student exactly their plenary and group events, with content per contract', async () => {
    const student = h.institution.students().find((s) => s.epost)!;
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.outcome).toBe('synced');
    expect(r.failed).toEqual([]);
    const events = kadaEvents(student.epost!);
    const keys = events.map((e) => e.extendedProperties[KEY_PROP]).sort();
    expect(keys).toEqual(expectedKeys(student.personlopenummer));
    expect(keys.length).toBeGreaterThan(10);
    expect(r.eventCount).toBe(keys.length);

    for (const e of events) {
      const key = e.extendedProperties[KEY_PROP]!;
      const [, , courseAndVersion, eventid] = key.split(':') as [string, string, string, string];
      const [courseId, version] = courseAndVersion.split(',') as [string, string];
      const tp = h.institution.event({ courseId, version, semester: '26h' }, eventid)!;
      // times: the same instants as TP, written in Europe/Oslo under its Windows name
      expect(DateTime.fromISO(e.startUtc).toMillis()).toBe(parseTpTime(tp.dtstart)!.toMillis());
      expect(DateTime.fromISO(e.endUtc).toMillis()).toBe(parseTpTime(tp.dtend)!.toMillis());
      expect(e.originalStartTimeZone).toBe('W. Europe Standard Time');
      // subject, cancelled marking, rooms
      const title = `${tp.courseid} ${tp['teaching-title']}`;
      const cancelled = tp.status === 'cancelled';
      expect(e.subject.startsWith(cancelled ? `AVLYST: ${title}` : title)).toBe(true);
      expect(e.showAs).toBe(cancelled ? 'free' : 'busy');
      for (const room of tp.room) expect(e.location.displayName).toContain(room.roomname);
      expect(e.categories).toContain('Undervisning');
      expect(e.isReminderOn).toBe(false);
      expect(e.graph.attendees ?? []).toEqual([]);
      expect(e.extendedProperties[HASH_PROP]).toMatch(/^[0-9a-f]{16,}$/);
    }
    const [{ n }] = await h.ctx.db.query(`SELECT count(*)::int AS n FROM synced_events WHERE person_id = $1`, [
      student.personlopenummer,
    ]);
    expect(n).toBe(keys.length);
  });

  it('reads a stale course once for jobs needing it together; a read as of now joins no older one', async () => {
    const ref: CourseRef = { courseId: 'IN1000', version: '1', semester: '26h' };
    await refreshCourse(h.ctx.db, h.ctx.tp, ref);
    await h.ctx.db.query(`UPDATE tp_courses SET fetched_at = now() - interval '2 hours' WHERE course_id = 'IN1000'`);
    const settings = { institution: 'uio', timezone: 'Europe/Oslo', language: 'nb' as const };
    const load = (maxAgeMs: number) => loadCourses(h.ctx.db, h.ctx.tp, [ref], { maxAgeMs, settings });
    h.sources.resetStats();
    const together = await Promise.all([load(3_600_000), load(3_600_000), load(3_600_000)]);
    expect(together[0]![0]!.events.length).toBeGreaterThan(0);
    expect(together.map((c) => c[0]!.events.length)).toEqual(Array(3).fill(together[0]![0]!.events.length));
    expect(h.sources.courseReads(ref)).toBe(1);
    await h.ctx.db.query(`UPDATE tp_courses SET fetched_at = now() - interval '2 hours' WHERE course_id = 'IN1000'`);
    h.sources.resetStats();
    const first = load(3_600_000);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([first, load(0)]);
    expect(h.sources.courseReads(ref)).toBe(2);
  });

  it('gives a lecturer the events naming them in staffs', async () => {
    const lecturer = h.institution.lecturers()[0]!;
    const r = await syncPerson(h.ctx, lecturer.personlopenummer);
    expect(r.outcome).toBe('synced');
    const keys = kadaEvents(lecturer.epost!)
      .map((e) => e.extendedProperties[KEY_PROP])
      .sort();
    expect(keys).toEqual(expectedKeys(lecturer.personlopenummer));
    expect(keys.length).toBeGreaterThan(0);
  });

  it('makes zero Graph writes on a second rebuild', async () => {
    const student = h.institution.students().find((s) => s.epost)!;
    const before = writes();
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.written).toEqual({ creates: 0, updates: 0, deletes: 0 });
    expect(writes()).toBe(before);
    const reconciled = await syncPerson(h.ctx, student.personlopenummer, { mode: 'reconcile' });
    expect(reconciled.written).toEqual({ creates: 0, updates: 0, deletes: 0 });
    expect(writes()).toBe(before);
  });

  /** A course with at least two synced students, one of its plenary events, and those students. */
  async function plenaryOfSharedCourse() {
    const course = h.institution.courses('26h').find((c) => h.institution.registrationsOfCourse(c.ref).length >= 2)!;
    const students = h.institution
      .registrationsOfCourse(course.ref)
      .map((r) => h.institution.person(r.personlopenummer)!)
      .filter((p) => p.epost)
      .slice(0, 2);
    for (const s of students) await syncPerson(h.ctx, s.personlopenummer);
    const ev = h.institution.courseEvents(course.ref)!.find((e) => e.status_plenary && e.status === 'active')!;
    return { ref: course.ref as CourseRef, ev, students };
  }

  /** As after a TP notification: the planner re-reads the course once, then the persons are synced. */
  async function resyncCounting(personIds: string[], changed?: CourseRef) {
    if (changed) await refreshCourse(h.ctx.db, h.ctx.tp, changed);
    const before = graph().stats().writes;
    for (const id of personIds) await syncPerson(h.ctx, id);
    const after = graph().stats().writes;
    return {
      create: after.create - before.create,
      update: after.update - before.update,
      delete: after.delete - before.delete,
    };
  }

  it('moves, re-rooms and re-describes an occurrence with one PATCH per affected person', async () => {
    const { ref, ev, students } = await plenaryOfSharedCourse();
    const ids = students.map((s) => s.personlopenummer);
    const start = parseTpTime(ev.dtstart)!.plus({ hours: 2 });
    const end = parseTpTime(ev.dtend)!.plus({ hours: 2 });
    h.institution.moveEvent(ref, ev.eventid, start.toISO()!, end.toISO()!);
    expect(await resyncCounting(ids, ref)).toEqual({ create: 0, update: students.length, delete: 0 });
    const moved = kadaEvents(students[0]!.epost!).find(
      (e) => e.extendedProperties[KEY_PROP] === eventKey(ref, ev.eventid),
    )!;
    expect(DateTime.fromISO(moved.startUtc).toMillis()).toBe(start.toMillis());

    const otherRoom = h.institution.rooms().find((r) => !ev.room.some((x) => x.id === r.id))!;
    h.institution.setRoom(ref, ev.eventid, otherRoom.id);
    expect(await resyncCounting(ids, ref)).toEqual({ create: 0, update: students.length, delete: 0 });
    h.institution.setSummary(ref, ev.eventid, 'Ny gjennomgang av oblig 2');
    expect(await resyncCounting(ids, ref)).toEqual({ create: 0, update: students.length, delete: 0 });
    const e = kadaEvents(students[0]!.epost!).find(
      (x) => x.extendedProperties[KEY_PROP] === eventKey(ref, ev.eventid),
    )!;
    expect(e.location.displayName).toContain(otherRoom.roomname);
    expect(e.subject).toContain(' – Ny gjennomgang av oblig 2');
  });

  it('marks a cancelled occurrence AVLYST and free, and deletes one deleted in TP', async () => {
    const { ref, ev, students } = await plenaryOfSharedCourse();
    const ids = students.map((s) => s.personlopenummer);
    h.institution.cancelEvent(ref, ev.eventid);
    expect(await resyncCounting(ids, ref)).toEqual({ create: 0, update: students.length, delete: 0 });
    const e = kadaEvents(students[0]!.epost!).find(
      (x) => x.extendedProperties[KEY_PROP] === eventKey(ref, ev.eventid),
    )!;
    expect(e.subject.startsWith('AVLYST: ')).toBe(true);
    expect(e.showAs).toBe('free');

    h.institution.deleteEvent(ref, ev.eventid);
    expect(await resyncCounting(ids, ref)).toEqual({ create: 0, update: 0, delete: students.length });
    expect(
      kadaEvents(students[0]!.epost!).some((x) => x.extendedProperties[KEY_PROP] === eventKey(ref, ev.eventid)),
    ).toBe(false);
  });

  it('deletes the events of a course the student is no longer registered for', async () => {
    const student = h.institution
      .students()
      .find((s) => s.epost && h.institution.registrationsOfPerson(s.personlopenummer, '26h').length >= 2)!;
    await syncPerson(h.ctx, student.personlopenummer);
    const reg = h.institution.registrationsOfPerson(student.personlopenummer, '26h')[0]!;
    const ref = { courseId: reg.emne.kode, version: reg.emne.versjon, semester: '26h' };
    const prefix = `tp:26h:${ref.courseId},${ref.version}:`;
    const had = kadaEvents(student.epost!).filter((e) => e.extendedProperties[KEY_PROP]!.startsWith(prefix)).length;
    expect(had).toBeGreaterThan(0);
    h.institution.removeRegistration(student.personlopenummer, ref);
    expect(await resyncCounting([student.personlopenummer])).toEqual({ create: 0, update: 0, delete: had });
    expect(
      kadaEvents(student.epost!)
        .map((e) => e.extendedProperties[KEY_PROP])
        .sort(),
    ).toEqual(expectedKeys(student.personlopenummer));
  });

  it('never touches user-made events in the same mailbox (property)', async () => {
    const student = h.institution.students().filter((s) => s.epost)[3]!;
    const mailbox = student.epost!;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            subject: fc.string({ minLength: 1, maxLength: 40 }),
            day: fc.integer({ min: 0, max: 120 }),
            hour: fc.integer({ min: 7, max: 20 }),
            marker: fc.constantFrom('none', 'foreignOwner', 'keyOnly'),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.constantFrom('sync', 'reconcile'),
        async (userEvents, mode) => {
          const made = userEvents.map((u) => {
            const start = DateTime.fromISO('2026-08-17T00:00:00', { zone: 'Europe/Oslo' }).plus({
              days: u.day,
              hours: u.hour,
            });
            const props =
              u.marker === 'none'
                ? undefined
                : u.marker === 'foreignOwner'
                  ? [
                      { id: OWNER_PROP, value: 'uib' },
                      { id: KEY_PROP, value: 'tp:26h:X,1:foreign' },
                    ]
                  : [{ id: KEY_PROP, value: 'tp:26h:X,1:keyonly' }];
            return h.microsoft.graph.addUserEvent(mailbox, {
              subject: u.subject,
              start: { dateTime: start.toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: 'W. Europe Standard Time' },
              end: {
                dateTime: start.plus({ hours: 1 }).toFormat("yyyy-MM-dd'T'HH:mm:ss"),
                timeZone: 'W. Europe Standard Time',
              },
              ...(props ? { singleValueExtendedProperties: props } : {}),
            });
          });
          const snapshot = made.map((m) => JSON.stringify(graph().event(mailbox, m.id)!.graph));
          await syncPerson(h.ctx, student.personlopenummer, { mode: mode as 'sync' | 'reconcile' });
          made.forEach((m, i) => expect(JSON.stringify(graph().event(mailbox, m.id)?.graph)).toBe(snapshot[i]));
          const log = graph()
            .requestLog()
            .filter((l) => made.some((m) => m.id === l.eventId));
          expect(log).toEqual([]);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('leaves exactly one event when a create answers 503 after creating it', async () => {
    const student = h.institution.students().filter((s) => s.epost)[5]!;
    graph().failNext('503AfterCreate', 3, { method: 'POST', mailbox: student.epost! });
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.failed).toEqual([]);
    const keys = kadaEvents(student.epost!).map((e) => e.extendedProperties[KEY_PROP]!);
    expect(keys.length).toBe(new Set(keys).size);
    expect(keys.sort()).toEqual(expectedKeys(student.personlopenummer));
    expect(graph().stats().writes.createDeduplicated).toBeGreaterThanOrEqual(1);
  });

  it('removes every kada event of a person gone from FS, and nothing else', async () => {
    const student = h.institution.students().filter((s) => s.epost)[6]!;
    await syncPerson(h.ctx, student.personlopenummer);
    const own = h.microsoft.graph.addUserEvent(student.epost!, {
      subject: 'Tannlege',
      start: { dateTime: '2026-09-01T10:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-09-01T11:00:00', timeZone: 'W. Europe Standard Time' },
    });
    expect(kadaEvents(student.epost!).length).toBeGreaterThan(0);
    h.institution.removePerson(student.personlopenummer);
    // FS's first "gone" is only a sighting: nothing is removed and the person is not marked gone.
    const first = await syncPerson(h.ctx, student.personlopenummer);
    expect(first.outcome).toBe('gone_pending');
    expect(kadaEvents(student.epost!).length).toBeGreaterThan(0);
    const [row] = await h.ctx.db.query(`SELECT status FROM persons WHERE person_id = $1`, [student.personlopenummer]);
    expect(row.status).toBe('active');
    // 14 minutes later FS still says so: not yet.
    const backdate = (minutes: number) =>
      h.ctx.db.query(`UPDATE wipe_sightings SET first_seen_at = now() - make_interval(mins => $2) WHERE subject = $1`, [
        student.personlopenummer,
        minutes,
      ]);
    await backdate(14);
    expect((await syncPerson(h.ctx, student.personlopenummer)).outcome).toBe('gone_pending');
    // At least 15 minutes after the first sighting, the second confirms it.
    await backdate(15);
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.outcome).toBe('gone');
    expect(kadaEvents(student.epost!)).toEqual([]);
    expect(graph().event(student.epost!, own.id)?.subject).toBe('Tannlege');
  });

  it('records a person without a mailbox and skips them', async () => {
    const student = h.institution.students().filter((s) => s.epost)[7]!;
    h.institution.setEmail(student.personlopenummer, null);
    const before = writes();
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.outcome).toBe('no_mailbox');
    expect(writes()).toBe(before);
    const errors = await recentErrors(h.ctx.db, { personId: student.personlopenummer });
    expect(errors.map((e) => e.code)).toContain('PERSON_NO_MAILBOX');
    // a second sync does not record it again
    await syncPerson(h.ctx, student.personlopenummer);
    expect((await recentErrors(h.ctx.db, { personId: student.personlopenummer })).length).toBe(errors.length);
  });

  it('removes the kada events of an opted-out person and writes no new ones', async () => {
    const student = h.institution.students().filter((s) => s.epost)[8]!;
    await syncPerson(h.ctx, student.personlopenummer);
    expect(kadaEvents(student.epost!).length).toBeGreaterThan(0);
    await setOptOut(h.ctx.db, student.personlopenummer, true);
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.outcome).toBe('opted_out');
    expect(kadaEvents(student.epost!)).toEqual([]);
    await syncPerson(h.ctx, student.personlopenummer);
    expect(kadaEvents(student.epost!)).toEqual([]);
  });
});
