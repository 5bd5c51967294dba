import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { eventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import type { CourseRef } from '../../src/domain/types';
import { recentErrors } from '../../src/store/errors';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/**
 * kada in a tenant as Microsoft documents it (issue 14): the category colour step is optional,
 * ids are immutable, and kada's deletes are permanent.
 */

const kadaEventsOf = (h: Harness, mailbox: string) =>
  h.microsoft.graph.events(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');
const expectedKeys = (h: Harness, personId: string) =>
  h.institution
    .timetableOf(personId, '26h')
    .map((t) => eventKey(t.course, t.eventid))
    .sort();
const categoryRequests = (h: Harness) =>
  h.microsoft.graph.requestLog().filter((r) => /\/outlook\/masterCategories/i.test(r.path));

describe('with Calendars.ReadWrite alone', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 11, students: 20, microsoft: { roles: ['Calendars.ReadWrite'] } });
  });
  afterAll(async () => h?.close());

  it('fills a fresh mailbox completely, skips the colour for good, and only a forced rebuild asks again', async () => {
    const student = h.institution.students().find((s) => s.epost)!;
    const mailbox = student.epost!.toLowerCase();
    const r = await syncPerson(h.ctx, student.personlopenummer);
    expect(r.outcome).toBe('synced');
    expect(r.failed).toEqual([]);
    const events = kadaEventsOf(h, mailbox);
    expect(events.map((e) => e.extendedProperties[KEY_PROP]).sort()).toEqual(expectedKeys(h, student.personlopenummer));
    expect(events.every((e) => e.categories.includes('Undervisning'))).toBe(true);
    expect(h.microsoft.graph.categories(mailbox)).toEqual([]);
    expect(categoryRequests(h).map((c) => c.status)).toEqual([403]);
    const [row] = await h.ctx.db.query(`SELECT category_ensured, category_denied FROM mailboxes WHERE mailbox = $1`, [
      mailbox,
    ]);
    expect(row).toEqual({ category_ensured: false, category_denied: true });
    expect(await recentErrors(h.ctx.db, { personId: student.personlopenummer })).toEqual([]);

    // remembered: later syncs and reconciles do not ask again
    h.microsoft.graph.resetStats();
    await syncPerson(h.ctx, student.personlopenummer);
    await syncPerson(h.ctx, student.personlopenummer, { mode: 'reconcile' });
    expect(categoryRequests(h)).toEqual([]);
    // a forced rebuild tries once more
    await syncPerson(h.ctx, student.personlopenummer, { mode: 'reconcile', retryRefusedSetup: true });
    expect(categoryRequests(h).map((c) => c.status)).toEqual([403]);
  });
});

describe('with Calendars.ReadWrite alone, a mailbox refused as a whole', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 13, students: 10, microsoft: { roles: ['Calendars.ReadWrite'] } });
  });
  afterAll(async () => h?.close());

  it('does not remember the colour step as refused when the calendar writes are refused too', async () => {
    const student = h.institution.students().find((s) => s.epost)!;
    const mailbox = student.epost!.toLowerCase();
    h.microsoft.graph.addMailbox(mailbox, { state: 'accessDenied' });
    const r = await syncPerson(h.ctx, student.personlopenummer).catch((err: Error) => err);
    expect(r instanceof Error || r.failed.length > 0).toBe(true);
    const rows = await h.ctx.db.query(`SELECT category_denied FROM mailboxes WHERE mailbox = $1`, [mailbox]);
    expect(rows.every((x: { category_denied: boolean }) => !x.category_denied)).toBe(true);
  });
});

describe('with Calendars.ReadWrite and MailboxSettings.ReadWrite', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 12, students: 30 });
  });
  afterAll(async () => h?.close());

  it('also gives a fresh mailbox the coloured master category', async () => {
    const student = h.institution.students().find((s) => s.epost)!;
    const mailbox = student.epost!.toLowerCase();
    await syncPerson(h.ctx, student.personlopenummer);
    expect(kadaEventsOf(h, mailbox).length).toBe(expectedKeys(h, student.personlopenummer).length);
    expect(h.microsoft.graph.categories(mailbox)).toEqual([
      expect.objectContaining({ displayName: 'Undervisning', color: 'preset7' }),
    ]);
    const [row] = await h.ctx.db.query(`SELECT category_ensured, category_denied FROM mailboxes WHERE mailbox = $1`, [
      mailbox,
    ]);
    expect(row).toEqual({ category_ensured: true, category_denied: false });
  });

  it('stores immutable ids; a store of old-style (default) ids moves over by reconcile, no duplicates', async () => {
    const student = h.institution.students().filter((s) => s.epost)[1]!;
    const mailbox = student.epost!.toLowerCase();
    await syncPerson(h.ctx, student.personlopenummer);
    const rows = () =>
      h.ctx.db.query(`SELECT event_key, graph_event_id FROM synced_events WHERE person_id = $1`, [
        student.personlopenummer,
      ]) as Promise<{ event_key: string; graph_event_id: string }[]>;
    const immutable = new Map(kadaEventsOf(h, mailbox).map((e) => [e.extendedProperties[KEY_PROP]!, e]));
    expect((await rows()).every((r) => r.graph_event_id === immutable.get(r.event_key)?.id)).toBe(true);

    // An installation from before immutable ids: the store holds the default ids Graph gave then.
    for (const [key, e] of immutable)
      await h.ctx.db.query(`UPDATE synced_events SET graph_event_id = $3 WHERE person_id = $1 AND event_key = $2`, [
        student.personlopenummer,
        key,
        e.mutableId,
      ]);
    expect((await rows()).every((r) => r.graph_event_id.startsWith('AAMkAG'))).toBe(true);
    const before = h.microsoft.graph.stats().writes;
    const r = await syncPerson(h.ctx, student.personlopenummer, { mode: 'reconcile' });
    expect(r.written).toEqual({ creates: 0, updates: 0, deletes: 0 });
    expect(h.microsoft.graph.stats().writes.create).toBe(before.create);
    const after = await rows();
    expect(after.length).toBe(immutable.size);
    for (const row of after) expect(row.graph_event_id).toBe(immutable.get(row.event_key)!.id);
    const keys = kadaEventsOf(h, mailbox).map((e) => e.extendedProperties[KEY_PROP]!);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(expectedKeys(h, student.personlopenummer));
  });

  it('an event the user restores from Deleted Items is a duplicate the next reconcile removes for good', async () => {
    const student = h.institution.students().filter((s) => s.epost)[2]!;
    const mailbox = student.epost!.toLowerCase();
    await syncPerson(h.ctx, student.personlopenummer);
    const victim = kadaEventsOf(h, mailbox)[0]!;
    const key = victim.extendedProperties[KEY_PROP]!;
    h.microsoft.graph.userDelete(mailbox, victim.id);
    expect(h.microsoft.graph.deletedItems(mailbox).map((e) => e.id)).toEqual([victim.id]);
    expect((await syncPerson(h.ctx, student.personlopenummer, { mode: 'reconcile' })).written.creates).toBe(1);
    h.microsoft.graph.restoreDeleted(mailbox, victim.id);
    const withKey = () => kadaEventsOf(h, mailbox).filter((e) => e.extendedProperties[KEY_PROP] === key);
    expect(withKey()).toHaveLength(2);
    const r = await syncPerson(h.ctx, student.personlopenummer, { mode: 'reconcile' });
    expect(r.written).toEqual({ creates: 0, updates: 0, deletes: 1 });
    expect(withKey()).toHaveLength(1);
    expect(h.microsoft.graph.deletedItems(mailbox)).toEqual([]);
  });

  it('leaves no kada event in Deleted Items after a semester of TP changes', async () => {
    const course = h.institution.courses('26h').find((c) => h.institution.registrationsOfCourse(c.ref).length >= 2)!;
    const ref = course.ref as CourseRef;
    const students = h.institution
      .registrationsOfCourse(ref)
      .map((x) => h.institution.person(x.personlopenummer)!)
      .filter((p) => p.epost);
    const ids = students.map((s) => s.personlopenummer);
    for (const id of ids) await syncPerson(h.ctx, id);
    const deletesBefore = h.microsoft.graph.stats().writes.delete;
    const active = h.institution.courseEvents(ref)!.filter((e) => e.status === 'active');
    // a semester: moves, cancellations, events removed, a student leaving the course
    for (const [i, ev] of active.slice(0, 6).entries()) {
      if (i % 3 === 0) {
        const start = parseTpTime(ev.dtstart)!.plus({ hours: 1 });
        const end = parseTpTime(ev.dtend)!.plus({ hours: 1 });
        h.institution.moveEvent(ref, ev.eventid, start.toISO()!, end.toISO()!);
      } else if (i % 3 === 1) h.institution.cancelEvent(ref, ev.eventid);
      else h.institution.deleteEvent(ref, ev.eventid);
      await refreshCourse(h.ctx.db, h.ctx.tp, ref);
      for (const id of ids) await syncPerson(h.ctx, id);
    }
    h.institution.removeRegistration(ids[0]!, ref);
    await syncPerson(h.ctx, ids[0]!);
    expect(h.microsoft.graph.stats().writes.delete).toBeGreaterThan(deletesBefore);
    for (const s of students) {
      const deleted = h.microsoft.graph
        .deletedItems(s.epost!.toLowerCase())
        .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');
      expect(deleted).toEqual([]);
    }
  });
});
