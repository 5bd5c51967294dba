import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTpTime } from '../../src/desired/time';
import type { CourseRef } from '../../src/domain/types';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';
import { mailboxView } from '../../testkit/support/mailboxView';

/**
 * SERIES_MODE=weekly changes how kada writes (series masters instead of one event per week), never
 * what a person sees: the same occurrences at the same instants, with the same subject, rooms,
 * body and cancellations, before and after TP moves, cancels, re-rooms and deletes single weeks.
 * Two identical worlds (same seed) are synced, one per mode, and their mailboxes compared through
 * the Graph emulator's expanded view.
 */
describe('SERIES_MODE=weekly shows a person exactly what the default mode shows', () => {
  let off: Harness;
  let weekly: Harness;
  const SEED = 11;

  beforeAll(async () => {
    [off, weekly] = await Promise.all([
      startHarness({ seed: SEED, students: 60 }),
      startHarness({ seed: SEED, students: 60, env: { SERIES_MODE: 'weekly' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([off?.close(), weekly?.close()]);
  });

  const student = () =>
    off.institution
      .students()
      .find((s) => s.epost && off.institution.timetableOf(s.personlopenummer, '26h').length > 60)!;
  const writes = (h: Harness) => {
    const w = h.microsoft.graph.stats().writes;
    return w.create + w.update + w.delete;
  };

  const view = mailboxView;

  const syncBoth = async (personId: string, changed: CourseRef[] = []) => {
    for (const h of [off, weekly]) {
      for (const c of changed) await refreshCourse(h.ctx.db, h.ctx.tp, c);
      const r = await syncPerson(h.ctx, personId);
      expect(r.failed).toEqual([]);
    }
  };

  it('writes a semester as series masters; the expanded calendar equals the one-event-per-week calendar', async () => {
    const s = student();
    const mailbox = s.epost!;
    await syncBoth(s.personlopenummer);

    const oracle = off.institution.timetableOf(s.personlopenummer, '26h');
    const a = view(off, mailbox);
    const b = view(weekly, mailbox);
    expect(a).toHaveLength(oracle.length);
    expect(b).toEqual(a);
    // Instants are TP's (the autumn semester crosses the end of summer time on 25 October).
    const starts = new Set(
      oracle.map((o) =>
        new Date(parseTpTime(off.institution.event(o.course, o.eventid)!.dtstart)!.toMillis()).toISOString(),
      ),
    );
    expect(new Set(b.map((o) => o.start))).toEqual(starts);

    const masters = weekly.microsoft.graph.events(mailbox).filter((e) => e.graph.recurrence);
    expect(masters.length).toBeGreaterThan(0);
    expect(weekly.microsoft.graph.occurrences(mailbox).filter((o) => o.seriesMasterId).length).toBeGreaterThan(
      masters.length,
    );
    expect(writes(weekly)).toBeLessThan(writes(off));
  });

  it('stays identical after TP moves, cancels, re-rooms and deletes single weeks inside series', async () => {
    const s = student();
    const mailbox = s.epost!;
    const regs = off.institution.registrationsOfPerson(s.personlopenummer, '26h');
    const reg = regs[0]!;
    const course: CourseRef = { courseId: reg.emne.kode, version: reg.emne.versjon, semester: '26h' };
    const group = (off.institution.courseEvents(course) ?? [])
      .filter((e) => e.actid === reg.aktiviteter[0])
      .sort((x, y) => x.weeknr - y.weeknr);
    expect(group.length).toBeGreaterThan(8);
    const room = off.institution.rooms().find((r) => r.id !== group[5]!.room[0]?.id)!;

    for (const h of [off, weekly]) {
      const inst = h.institution;
      const moved = inst.event(course, group[3]!.eventid)!;
      const shift = (t: string) => parseTpTime(t)!.plus({ hours: 2 }).toISO()!;
      inst.moveEvent(course, moved.eventid, shift(moved.dtstart), shift(moved.dtend));
      inst.cancelEvent(course, group[4]!.eventid);
      inst.setRoom(course, group[5]!.eventid, room.id);
      inst.deleteEvent(course, group[7]!.eventid);
      inst.setSummary(course, group[group.length - 1]!.eventid, 'Repetisjon');
    }
    await syncBoth(s.personlopenummer, [course]);

    const a = view(off, mailbox);
    const b = view(weekly, mailbox);
    expect(a).toHaveLength(off.institution.timetableOf(s.personlopenummer, '26h').length);
    expect(b).toEqual(a);
    expect(b.filter((o) => o.subject.startsWith('AVLYST: '))).toEqual(
      a.filter((o) => o.subject.startsWith('AVLYST: ')),
    );
    expect(b.some((o) => o.location.includes(room.roomname))).toBe(true);
  });

  it('converges to the same calendar when a synced person is synced again with nothing changed', async () => {
    const s = student();
    const before = writes(weekly);
    await syncBoth(s.personlopenummer);
    expect(writes(weekly)).toBe(before);
    expect(view(weekly, s.epost!)).toEqual(view(off, s.epost!));
  });
});
