import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/**
 * The deterministic form of what the chaos runs found: a job that dies (SIGKILL, lost database)
 * between a Graph write and its record leaves kada events the state store does not know. Repairing
 * the same mailbox finds them by transactionId or read-back; but when the person's mailbox changes
 * or they leave FS before that, the old mailbox must still be cleaned, and only of kada's events.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: 31, students: 40 });
});
afterAll(async () => h?.close());

const kadaEvents = (mailbox: string) =>
  h.microsoft.graph.events(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');

/** A synced student whose kada events Graph holds but the state store has forgotten. */
async function studentWithUnrecordedEvents(index: number) {
  const p = h.institution
    .students()
    .filter((s) => s.epost && h.institution.timetableOf(s.personlopenummer, '26h').length)[index]!;
  await syncPerson(h.ctx, p.personlopenummer);
  const mailbox = p.epost!;
  expect(kadaEvents(mailbox).length).toBeGreaterThan(0);
  // As if every record had been lost: the writes landed, the inserts did not.
  await h.ctx.db.query(`DELETE FROM synced_events WHERE person_id = $1`, [p.personlopenummer]);
  const own = h.microsoft.graph.addUserEvent(mailbox, { subject: 'Eget møte' });
  return { p, mailbox, own };
}

describe('unrecorded kada events in a mailbox the person no longer has', () => {
  it('are removed when the person gets a new address, and the timetable lands in the new one', async () => {
    const { p, mailbox, own } = await studentWithUnrecordedEvents(0);
    h.institution.setEmail(p.personlopenummer, `${p.brukernavn}.ny@uio.no`);
    const r = await syncPerson(h.ctx, p.personlopenummer);
    expect(r.outcome).toBe('synced');
    expect(kadaEvents(mailbox)).toEqual([]);
    expect(h.microsoft.graph.event(mailbox, own.id)).toEqual(own);
    expect(kadaEvents(`${p.brukernavn}.ny@uio.no`).length).toBe(
      h.institution.timetableOf(p.personlopenummer, '26h').length,
    );
  });

  it('are removed when the person is gone from FS, or has no mailbox any more', async () => {
    const gone = await studentWithUnrecordedEvents(1);
    h.institution.removePerson(gone.p.personlopenummer);
    // FS's first "gone" waits for a second answer at least 15 minutes later (fs.md); a forced rebuild would not.
    expect((await syncPerson(h.ctx, gone.p.personlopenummer)).outcome).toBe('gone_pending');
    await h.ctx.db.query(
      `UPDATE wipe_sightings SET first_seen_at = now() - interval '15 minutes' WHERE kind = 'person' AND subject = $1`,
      [gone.p.personlopenummer],
    );
    expect((await syncPerson(h.ctx, gone.p.personlopenummer)).outcome).toBe('gone');
    expect(kadaEvents(gone.mailbox)).toEqual([]);
    expect(h.microsoft.graph.event(gone.mailbox, gone.own.id)).toEqual(gone.own);

    const none = await studentWithUnrecordedEvents(2);
    h.institution.setEmail(none.p.personlopenummer, null);
    expect((await syncPerson(h.ctx, none.p.personlopenummer)).outcome).toBe('no_mailbox');
    expect(kadaEvents(none.mailbox)).toEqual([]);
  });

  it('are left alone when the old address now belongs to someone else (their own sync owns it)', async () => {
    const { p, mailbox } = await studentWithUnrecordedEvents(3);
    const before = kadaEvents(mailbox).length;
    const heir = h.institution.addPerson({ fornavn: 'Ny', etternavn: 'Eier', epost: mailbox });
    await h.ctx.db.query(`INSERT INTO persons (person_id, mailbox, status) VALUES ($1, $2, 'active')`, [
      heir.personlopenummer,
      mailbox,
    ]);
    h.institution.setEmail(p.personlopenummer, `${p.brukernavn}.flyttet@uio.no`);
    await syncPerson(h.ctx, p.personlopenummer);
    expect(kadaEvents(mailbox).length).toBe(before);
  });

  it('a new address: old-mailbox deletes finishing after the creates in the new one keep the new records', async () => {
    const p = h.institution
      .students()
      .filter((s) => s.epost && h.institution.timetableOf(s.personlopenummer, '26h').length)[4]!;
    const n = h.institution.timetableOf(p.personlopenummer, '26h').length;
    await syncPerson(h.ctx, p.personlopenummer);
    const old = p.epost!;
    const moved = `${p.brukernavn}.sent@uio.no`;
    h.institution.setEmail(p.personlopenummer, moved);
    // Every delete in the old mailbox is refused once, so it is retried after the creates are done.
    h.microsoft.graph.failNext('503', n, { method: 'DELETE', mailbox: old });
    const r = await syncPerson(h.ctx, p.personlopenummer);
    expect(r.written).toEqual({ creates: n, updates: 0, deletes: n });
    const rows: { mailbox: string }[] = await h.ctx.db.query(`SELECT mailbox FROM synced_events WHERE person_id = $1`, [
      p.personlopenummer,
    ]);
    expect(rows.map((x) => x.mailbox)).toEqual(Array(n).fill(moved));
    expect((await syncPerson(h.ctx, p.personlopenummer)).written).toEqual({ creates: 0, updates: 0, deletes: 0 });
  });

  it('a create answered with the event of an earlier create (record lost, TP changed) is updated', async () => {
    const { p, mailbox } = await studentWithUnrecordedEvents(5);
    const { course, eventid } = h.institution.timetableOf(p.personlopenummer, '26h')[0]!;
    const ev = h.institution.event(course, eventid)!;
    const start = parseTpTime(ev.dtstart)!.plus({ hours: 2 });
    h.institution.moveEvent(course, eventid, start.toISO()!, parseTpTime(ev.dtend)!.plus({ hours: 2 }).toISO()!);
    await refreshCourse(h.ctx.db, h.ctx.tp, course);
    const r = await syncPerson(h.ctx, p.personlopenummer);
    expect(r.failed).toEqual([]);
    const moved = kadaEvents(mailbox).filter((e) => e.extendedProperties[KEY_PROP] === eventKey(course, eventid));
    expect(moved).toHaveLength(1);
    expect(Date.parse(moved[0]!.startUtc)).toBe(start.toMillis());
    expect((await syncPerson(h.ctx, p.personlopenummer)).written).toEqual({ creates: 0, updates: 0, deletes: 0 });
  });
});
