import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_PROP } from '../../src/domain/markers';
import { parseTpTime } from '../../src/desired/time';
import type { CourseRef } from '../../src/domain/types';
import { SyncError } from '../../src/sync/errors';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/**
 * SERIES_MODE=weekly against real Postgres and the Graph emulator: a week that differs from its
 * series is one PATCH of that week's instance, going back is one PATCH, and reconcile repairs an
 * occurrence the person edited or deleted in Outlook.
 */
describe('SERIES_MODE=weekly exceptions', () => {
  let h: Harness;
  let personId: string;
  let mailbox: string;
  let course: CourseRef;
  let group: { eventid: string; dtstart: string }[];

  beforeAll(async () => {
    h = await startHarness({ seed: 7, students: 60, env: { SERIES_MODE: 'weekly' } });
    const student = h.institution
      .students()
      .find((s) => s.epost && h.institution.registrationsOfPerson(s.personlopenummer, '26h').length > 0)!;
    personId = student.personlopenummer;
    mailbox = student.epost!;
    const reg = h.institution.registrationsOfPerson(personId, '26h')[0]!;
    course = { courseId: reg.emne.kode, version: reg.emne.versjon, semester: '26h' };
    group = (h.institution.courseEvents(course) ?? [])
      .filter((e) => e.actid === reg.aktiviteter[0] && e.status !== 'cancelled')
      .sort((a, b) => a.weeknr - b.weeknr)
      .map((e) => ({ eventid: e.eventid, dtstart: e.dtstart }));
    expect(group.length).toBeGreaterThan(8);
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
  });
  afterAll(async () => h?.close());

  const graph = () => h.microsoft.graph;
  const writes = () => {
    const w = graph().stats().writes;
    return w.create + w.update + w.delete;
  };
  const occurrences = () =>
    graph()
      .occurrences(mailbox)
      .filter((o) => o.extendedProperties[OWNER_PROP] === 'uio');
  /** The occurrence of the group's k-th week, found by its TP start. */
  const week = (k: number) => {
    const at = new Date(parseTpTime(group[k]!.dtstart)!.toMillis()).toISOString();
    const o = occurrences().find((x) => x.startUtc === at);
    expect(o, `occurrence at ${at}`).toBeDefined();
    return o!;
  };
  const view = () =>
    occurrences().map((o) => [o.startUtc, o.endUtc, o.subject, o.showAs, o.location.displayName].join(' | '));
  const changeTp = async (change: () => void) => {
    change();
    await refreshCourse(h.ctx.db, h.ctx.tp, course);
  };

  it('writes the group teaching as a series master', () => {
    const o = week(3);
    expect(o.seriesMasterId).toBeTruthy();
    expect(o.type).toBe('occurrence');
  });

  it('a topic on one week is exactly one PATCH of that week, and going back is one more', async () => {
    const before = writes();
    const plain = week(4).subject;
    await changeTp(() => h.institution.setSummary(course, group[4]!.eventid, 'Ekstra gjennomgang'));
    const r = await syncPerson(h.ctx, personId);
    expect(r.failed).toEqual([]);
    expect(writes() - before).toBe(1);
    expect(week(4)).toMatchObject({ type: 'exception', subject: `${plain} – Ekstra gjennomgang` });
    expect(week(3).subject).toBe(plain);

    await changeTp(() => h.institution.setSummary(course, group[4]!.eventid, ''));
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(writes() - before).toBe(2);
    expect(week(4).subject).toBe(plain);
  });

  it('a cancelled week is one PATCH showing AVLYST and free; nothing else is written again', async () => {
    const before = writes();
    await changeTp(() => h.institution.cancelEvent(course, group[6]!.eventid));
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(writes() - before).toBe(1);
    expect(week(6)).toMatchObject({ subject: expect.stringMatching(/^AVLYST: /), showAs: 'free' });
    const again = writes();
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(writes()).toBe(again);
  });

  it('reconcile of an intact mailbox writes nothing', async () => {
    const before = writes();
    const r = await syncPerson(h.ctx, personId, { mode: 'reconcile' });
    expect(r.failed).toEqual([]);
    expect(writes()).toBe(before);
  });

  it("writes masters in Europe/Oslo's Windows name and finds their exceptions again, not replacing them", async () => {
    // luxon does not know `W. Europe Standard Time`: read naively, every exception's week would look deleted.
    const masters = graph()
      .events(mailbox)
      .filter((e) => e.type === 'seriesMaster');
    expect(masters.length).toBeGreaterThan(0);
    expect(masters.every((m) => m.originalStartTimeZone === 'W. Europe Standard Time')).toBe(true);
    const exceptions = () =>
      occurrences()
        .filter((o) => o.type === 'exception')
        .map((o) => `${o.seriesMasterId} ${o.id} ${o.subject}`);
    const before = { writes: writes(), masters: masters.map((m) => m.id), exceptions: exceptions() };
    expect(before.exceptions.length).toBeGreaterThan(0);
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect((await syncPerson(h.ctx, personId, { mode: 'reconcile' })).failed).toEqual([]);
    expect(writes()).toBe(before.writes);
    expect(
      graph()
        .events(mailbox)
        .filter((e) => e.type === 'seriesMaster')
        .map((m) => m.id),
    ).toEqual(before.masters);
    expect(exceptions()).toEqual(before.exceptions);
  });

  it('reconcile puts back an occurrence the person edited in Outlook, with one PATCH', async () => {
    const expected = view();
    graph().userEdit(mailbox, week(2).id, { subject: 'Mitt eget notat' });
    expect(view()).not.toEqual(expected);
    const before = writes();
    expect((await syncPerson(h.ctx, personId, { mode: 'reconcile' })).failed).toEqual([]);
    expect(view()).toEqual(expected);
    expect(writes() - before).toBe(1);
  });

  it('reconcile brings back an occurrence the person deleted, by writing its series again', async () => {
    const expected = view();
    graph().userDelete(mailbox, week(5).id);
    expect(view()).toHaveLength(expected.length - 1);
    expect((await syncPerson(h.ctx, personId, { mode: 'reconcile' })).failed).toEqual([]);
    expect(view()).toEqual(expected);
    const before = writes();
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(writes()).toBe(before);
  });

  it('a change to a week the person deleted fails the job for a retry, which writes the series again', async () => {
    const expected = view();
    graph().userDelete(mailbox, week(7).id);
    await changeTp(() => h.institution.setSummary(course, group[7]!.eventid, 'Flyttet tema'));
    const err = await syncPerson(h.ctx, personId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).transient).toBe(true);
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(week(7).subject).toMatch(/ – Flyttet tema$/);
    expect(view()).toHaveLength(expected.length);
  });

  it('a series repaired after an occurrence was deleted is not answered with the master it replaces', async () => {
    // The repair writes the same content again (same hash): only the generation tells the create apart
    // from the old master. The delete fails once, so the two run in parallel chains, the create first.
    const expected = view();
    graph().userDelete(mailbox, week(4).id);
    await changeTp(() => h.institution.setSummary(course, group[4]!.eventid, 'Nytt tema'));
    const err = await syncPerson(h.ctx, personId).catch((e: unknown) => e);
    expect((err as SyncError).transient).toBe(true);
    const deduplicated = graph().stats().writes.createDeduplicated;
    graph().failNext('503', 1, { method: 'DELETE' });
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(graph().stats().writes.createDeduplicated).toBe(deduplicated);
    expect(week(4).subject).toMatch(/ – Nytt tema$/);
    expect(view()).toHaveLength(expected.length);
    // The new master is recorded under the next generation; a second sync writes nothing.
    const [row] = await h.ctx.db.query(
      `SELECT generation FROM synced_events WHERE person_id = $1 AND graph_event_id = $2`,
      [personId, week(4).seriesMasterId],
    );
    expect(row.generation).toBeGreaterThan(0);
    const before = writes();
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(writes()).toBe(before);
  });

  it('a series written anew is not answered with its predecessor, even if that is deleted afterwards', async () => {
    // The last week goes: the master's range changes, so it is deleted and created again. The delete
    // fails once (retried later), so the create reaches Graph while the old master still exists.
    await changeTp(() => h.institution.deleteEvent(course, group[group.length - 1]!.eventid));
    graph().failNext('503', 1, { method: 'DELETE' });
    const r = await syncPerson(h.ctx, personId);
    expect(r.failed).toEqual([]);
    expect(occurrences()).toHaveLength(h.institution.timetableOf(personId, '26h').length);
    expect(week(3).seriesMasterId).toBeTruthy();
    const before = writes();
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(writes()).toBe(before);
  });

  it('a new address moves the series with its exceptions, and leaves no record of the old mailbox', async () => {
    const expected = view();
    const old = mailbox;
    mailbox = `ny.${old}`;
    h.institution.setEmail(personId, mailbox);
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
    expect(view()).toEqual(expected);
    expect(
      graph()
        .events(old)
        .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio'),
    ).toEqual([]);
    const rows: { mailbox: string }[] = await h.ctx.db.query(`SELECT mailbox FROM synced_events WHERE person_id = $1`, [
      personId,
    ]);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.mailbox.toLowerCase()))).toEqual(new Set([mailbox.toLowerCase()]));
  });
});
