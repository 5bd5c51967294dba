import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PROP } from '../../src/domain/markers';
import { getMailboxSetup } from '../../src/store/mailboxes';
import { recentErrors } from '../../src/store/errors';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/**
 * CALENDAR_MODE=dedicated when the person deletes kada's calendar (and with it every event in it):
 * the next write or reconcile answers 404, kada makes the calendar again and fills it anew, each event
 * under a new generation (Graph must not answer the creates with the events that went with the old one).
 */
describe('dedicated calendar lost', () => {
  let h: Harness;
  let personId: string;
  let mailbox: string;
  const NAME = 'Timeplan';
  beforeAll(async () => {
    h = await startHarness({ seed: 41, students: 20, env: { CALENDAR_MODE: 'dedicated', CALENDAR_NAME: NAME } });
    const s = h.institution
      .students()
      .find((x) => x.epost && h.institution.timetableOf(x.personlopenummer, '26h').length > 2)!;
    personId = s.personlopenummer;
    mailbox = s.epost!;
    expect((await syncPerson(h.ctx, personId)).failed).toEqual([]);
  });
  afterAll(async () => h?.close());

  const graph = () => h.microsoft.graph;
  const own = () =>
    graph()
      .calendars(mailbox)
      .filter((c) => c.name === NAME);
  const keysIn = (calendarId: string) =>
    graph()
      .events(mailbox, calendarId)
      .map((e) => e.extendedProperties[KEY_PROP])
      .sort();
  /** What the person does in Outlook: deletes kada's calendar. */
  const deleteCalendar = async (id: string) => {
    const path = `/users/${encodeURIComponent(mailbox)}/calendars/${encodeURIComponent(id)}`;
    await h.ctx.writer.call((c, signal) => c.api(path).options({ signal }).delete(), { method: 'DELETE' });
  };
  const generations = async () =>
    (await h.ctx.db.query(`SELECT min(generation)::int AS g FROM synced_events WHERE person_id = $1`, [personId]))[0]
      .g as number;

  it('a write into the deleted calendar makes it again and re-fills the person', async () => {
    const [first] = own();
    const wanted = keysIn(first!.id);
    expect(wanted.length).toBe(h.institution.timetableOf(personId, '26h').length);
    await deleteCalendar(first!.id);
    expect(own()).toHaveLength(0);

    // A TP change gives the next sync a write: the PATCH and the re-create answer 404.
    const t = h.institution.timetableOf(personId, '26h')[0]!;
    h.institution.setSummary(t.course, t.eventid, 'Nytt rom');
    await refreshCourse(h.ctx.db, h.ctx.tp, t.course);
    const r = await syncPerson(h.ctx, personId);
    expect(r.failed).toEqual([]);
    const [again] = own();
    expect(again!.id).not.toBe(first!.id);
    expect(keysIn(again!.id)).toEqual(wanted);
    expect((await getMailboxSetup(h.ctx.db, mailbox))?.calendarId).toBe(again!.id);
    expect(await generations()).toBeGreaterThan(0);
    const errors = await recentErrors(h.ctx.db, { personId });
    expect(errors.map((e) => e.code)).toContain('CALENDAR_RECREATED');

    // Settled: the next sync writes nothing.
    const before = graph().stats().writes;
    expect((await syncPerson(h.ctx, personId)).written).toEqual({ creates: 0, updates: 0, deletes: 0 });
    expect(graph().stats().writes.create).toBe(before.create);
  });

  it('the nightly reconcile finds the loss too, and uses a calendar of that name the person made', async () => {
    const [current] = own();
    const wanted = keysIn(current!.id);
    await deleteCalendar(current!.id);
    const mine = await h.ctx.writer.call(
      (c, signal) =>
        c
          .api(`/users/${encodeURIComponent(mailbox)}/calendars`)
          .options({ signal })
          .post({ name: NAME }) as Promise<{
          id: string;
        }>,
      { method: 'POST' },
    );
    expect((await syncPerson(h.ctx, personId, { mode: 'reconcile' })).failed).toEqual([]);
    expect(own().map((c) => c.id)).toEqual([mine.id]);
    expect(keysIn(mine.id)).toEqual(wanted);
    expect(graph().stats().writes.createDeduplicated).toBe(0);
  });
});
