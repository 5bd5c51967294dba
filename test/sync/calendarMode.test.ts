import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/** CALENDAR_MODE=dedicated with English texts: kada's own calendar, created once, and its category. */
describe('dedicated calendar mode', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      seed: 31,
      students: 30,
      env: { CALENDAR_MODE: 'dedicated', CALENDAR_NAME: 'Timeplan UiO', KADA_LANGUAGE: 'en' },
    });
  });
  afterAll(async () => h?.close());

  it('writes into a calendar of its own, made once, and ensures the Teaching category once', async () => {
    const [a, b] = h.institution.students().filter((s) => s.epost);
    const user = h.microsoft.graph.addUserEvent(a!.epost!, {
      subject: 'Lunsj',
      start: { dateTime: '2026-09-01T11:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-09-01T11:30:00', timeZone: 'W. Europe Standard Time' },
    });
    await syncPerson(h.ctx, a!.personlopenummer);
    const calendars = h.microsoft.graph.calendars(a!.epost!);
    const own = calendars.filter((c) => c.name === 'Timeplan UiO');
    expect(own).toHaveLength(1);
    const events = h.microsoft.graph.events(a!.epost!, own[0]!.id);
    expect(events.length).toBe(h.institution.timetableOf(a!.personlopenummer, '26h').length);
    expect(events.every((e) => e.extendedProperties[OWNER_PROP] === 'uio' && e.categories.includes('Teaching'))).toBe(
      true,
    );
    for (const e of events) {
      const [, , cv, eventid] = e.extendedProperties[KEY_PROP]!.split(':') as [string, string, string, string];
      const [courseId, version] = cv.split(',') as [string, string];
      const tp = h.institution.event({ courseId, version, semester: '26h' }, eventid)!;
      expect(e.subject.startsWith('CANCELLED: ')).toBe(tp.status === 'cancelled');
      expect(e.subject).not.toContain('AVLYST');
    }
    // the default calendar still holds only the user's own event
    expect(
      h.microsoft.graph.events(a!.epost!, h.microsoft.graph.defaultCalendarId(a!.epost!)).map((e) => e.id),
    ).toEqual([user.id]);
    expect(h.microsoft.graph.categories(a!.epost!).filter((c) => c.displayName === 'Teaching')).toHaveLength(1);

    // a second sync and a reconcile find the calendar again instead of making another, and write nothing
    const before = h.microsoft.graph.stats().writes;
    await syncPerson(h.ctx, a!.personlopenummer);
    const r = await syncPerson(h.ctx, a!.personlopenummer, { mode: 'reconcile' });
    expect(r.written).toEqual({ creates: 0, updates: 0, deletes: 0 });
    const after = h.microsoft.graph.stats().writes;
    expect([after.calendarCreate, after.categoryCreate, after.create]).toEqual([
      before.calendarCreate,
      before.categoryCreate,
      before.create,
    ]);
    expect(h.microsoft.graph.calendars(a!.epost!).filter((c) => c.name === 'Timeplan UiO')).toHaveLength(1);

    // an event the user deleted from kada's calendar comes back there
    h.microsoft.graph.userDelete(a!.epost!, events[0]!.id);
    await syncPerson(h.ctx, a!.personlopenummer, { mode: 'reconcile' });
    const again = h.microsoft.graph.events(a!.epost!, own[0]!.id);
    expect(again.map((e) => e.extendedProperties[KEY_PROP]).sort()).toEqual(
      events.map((e) => e.extendedProperties[KEY_PROP]).sort(),
    );

    await syncPerson(h.ctx, b!.personlopenummer);
    expect(h.microsoft.graph.calendars(b!.epost!).filter((c) => c.name === 'Timeplan UiO')).toHaveLength(1);
  });
});
