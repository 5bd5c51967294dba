import { describe, expect, it } from 'vitest';
import { prepareCourse } from '../../src/desired/desiredEvents';
import { weeklySeries } from '../../src/desired/series';
import type { DesiredEvent, EventContent, TpCourse, TpEvent } from '../../src/domain/types';
import type { KadaGraphEvent } from '../../src/graph/readBack';
import type { StoredPerson } from '../../src/store/persons';
import type { PersonReading } from '../../src/sync/personJob';
import { type PlanSettings, planPerson } from '../../src/sync/planPerson';
import { settings as contentSettings, tpEvent } from '../desired/tpExample';
import { COURSE, KARI, key, MAILBOX, SETTINGS, stored } from './planFixture';

/** The pure planner of a person job: no server, no database, only a reading in and a plan out. */

const CONTENT: EventContent = {
  subject: 'IN1000 Forelesning',
  start: { dateTime: '2026-08-25T10:15:00', timeZone: 'Europe/Oslo' },
  end: { dateTime: '2026-08-25T12:00:00', timeZone: 'Europe/Oslo' },
  showAs: 'busy',
  location: { displayName: 'Aud 1' },
  locations: [],
  body: { contentType: 'html', content: '' },
  categories: ['Undervisning'],
  isReminderOn: false,
};

const desired = (id: string, hash = 'h1'): DesiredEvent => ({ key: key(id), course: COURSE, content: CONTENT, hash });
const knownAs = (over: Partial<StoredPerson>): StoredPerson =>
  ({ personId: '1001', status: 'active', optedOut: false, mailbox: MAILBOX, ...over }) as StoredPerson;
const graphEvent = (id: string, k: string | null): KadaGraphEvent => ({ id, key: k, hash: 'h1' });

function reading(over: Partial<PersonReading> = {}): PersonReading {
  return {
    personId: '1001',
    fsPerson: KARI,
    known: knownAs({}),
    stored: [],
    mailbox: MAILBOX,
    wanted: { events: [], dataErrors: [], courses: [] },
    previous: null,
    setup: { stored: { calendarId: null, categoryEnsured: true, categoryDenied: false }, calendarId: null },
    graph: null,
    ...over,
  };
}

describe('planPerson', () => {
  it('creates what is wanted, updates what changed, deletes what went, with kada markers on every body', () => {
    const p = planPerson(
      reading({
        stored: [stored('same'), stored('changed', 'old'), stored('gone')],
        wanted: {
          events: [desired('same'), desired('changed', 'new'), desired('new')],
          dataErrors: [],
          courses: ['x'],
        },
      }),
      SETTINGS,
    );
    expect(p.outcome).toBe('synced');
    expect(p.ops.map((o) => [o.kind, o.key])).toEqual([
      ['delete', key('gone')],
      ['update', key('changed')],
      ['create', key('new')],
    ]);
    const create = p.ops.find((o) => o.kind === 'create')!;
    expect(create).toMatchObject({ mailbox: MAILBOX, calendarId: null });
    expect(JSON.stringify((create as { body: unknown }).body)).toContain(key('new'));
    expect(p.result).toMatchObject({
      outcome: 'synced',
      mailbox: MAILBOX,
      planned: { creates: 1, updates: 1, deletes: 1 },
      written: { creates: 0, updates: 0, deletes: 0 },
      eventCount: 3,
      courses: ['x'],
    });
    expect(p.result.changes.find((c) => c.kind === 'create')).toMatchObject({ subject: CONTENT.subject });
    expect(p.record).toEqual({ status: 'active', person: KARI, mailbox: MAILBOX });
    expect(p.adopt).toBeNull();
    expect(p.setup).toMatchObject({ category: null, createCalendar: null, save: false });
  });

  it('removes the events of a mailbox the person had before first, and the unrecorded ones found there', () => {
    const p = planPerson(
      reading({
        stored: [stored('a', 'h1', 'old@uio.no')],
        wanted: { events: [desired('a')], dataErrors: [], courses: [] },
        previous: { mailbox: 'old@uio.no', events: [graphEvent('g-a', key('a')), graphEvent('lost', null)] },
      }),
      SETTINGS,
    );
    // The recorded event goes with the other deletes; only the unrecorded one is an orphan.
    expect(p.orphans).toEqual([{ kind: 'delete', mailbox: 'old@uio.no', eventId: 'lost', key: '(no key)' }]);
    expect(p.ops.map((o) => [o.kind, o.mailbox])).toEqual([
      ['delete', 'old@uio.no'],
      ['create', MAILBOX],
    ]);
  });

  it('deletes every kada event of a person gone from FS, exceptions with their master', () => {
    const p = planPerson(
      reading({
        fsPerson: null,
        mailbox: null,
        setup: null,
        stored: [stored('weekly:L+35'), { ...stored('weekly:L+35@2026-09-01'), graphEventId: 'g-inst' }, stored('b')],
      }),
      SETTINGS,
    );
    expect(p.outcome).toBe('gone');
    expect(p.record).toEqual({ status: 'gone' });
    expect(p.ops.map((o) => o.key)).toEqual([key('weekly:L+35'), key('b')]);
    expect(p.result).toMatchObject({ mailbox: null, planned: { creates: 0, updates: 0, deletes: 2 }, eventCount: 2 });
    expect(p.noMailboxError).toBeNull();
    // A person gone is a source removal: those deletes count towards KADA_DELETE_GUARD.
    expect(p.ops.every((o) => o.sourceRemoval === true)).toBe(true);
  });

  it('touches nothing of a person FS calls gone until a second answer confirms it', () => {
    const p = planPerson(
      reading({
        fsPerson: null,
        mailbox: null,
        setup: null,
        goneUnconfirmed: new Date('2026-09-01T10:15:00Z'),
        stored: [stored('a'), stored('b')],
      }),
      SETTINGS,
    );
    expect(p.outcome).toBe('gone_pending');
    expect(p.record).toBeNull();
    expect(p.ops).toEqual([]);
    expect(p.orphans).toEqual([]);
    expect(p.result.planned).toEqual({ creates: 0, updates: 0, deletes: 0 });
  });

  it('marks deletes of keys no longer wanted as source removals, and a move to a new mailbox not', () => {
    const removed = planPerson(
      reading({
        stored: [stored('a'), stored('gone')],
        wanted: { events: [desired('a')], dataErrors: [], courses: [] },
      }),
      SETTINGS,
    );
    expect(removed.ops.filter((o) => o.kind === 'delete').map((o) => [o.key, o.sourceRemoval])).toEqual([
      [key('gone'), true],
    ]);
    const moved = planPerson(
      reading({
        stored: [stored('a', 'h1', 'old@uio.no')],
        wanted: { events: [desired('a')], dataErrors: [], courses: [] },
      }),
      SETTINGS,
    );
    expect(moved.ops.find((o) => o.kind === 'delete')?.sourceRemoval).toBeFalsy();
  });

  it('records a missing mailbox once: only when the person was not already known without one', () => {
    const first = planPerson(reading({ mailbox: null, setup: null, stored: [stored('a')] }), SETTINGS);
    expect(first.outcome).toBe('no_mailbox');
    expect(first.record).toEqual({ status: 'no_mailbox', person: KARI, mailbox: null });
    expect(first.noMailboxError).toMatchObject({ kind: 'person', code: 'PERSON_NO_MAILBOX', personId: '1001' });
    expect(first.noMailboxError!.message).toContain('epost missing');
    expect(first.ops.map((o) => o.kind)).toEqual(['delete']);

    const again = planPerson(
      reading({ mailbox: null, setup: null, known: knownAs({ status: 'no_mailbox' }) }),
      SETTINGS,
    );
    expect(again.noMailboxError).toBeNull();
  });

  it('deletes and writes nothing new for an opted-out person', () => {
    const p = planPerson(reading({ known: knownAs({ optedOut: true }), stored: [stored('a')] }), SETTINGS);
    expect(p.outcome).toBe('opted_out');
    expect(p.ops.map((o) => o.kind)).toEqual(['delete']);
  });

  it('plans the mailbox set-up that is missing: the category by language, the dedicated calendar by name', () => {
    const dedicated: PlanSettings = { ...SETTINGS, language: 'en', calendar: { mode: 'dedicated', name: 'Timeplan' } };
    const fresh = planPerson(reading({ setup: { stored: null, calendarId: null } }), dedicated);
    expect(fresh.setup).toEqual({
      mailbox: MAILBOX,
      category: 'Teaching',
      categoryKept: { ensured: false, denied: false },
      createCalendar: 'Timeplan',
      calendarId: null,
      dedicated: true,
      save: true,
    });
    // A calendar of that name already in the mailbox is taken, and remembered.
    const found = planPerson(
      reading({
        setup: { stored: { calendarId: null, categoryEnsured: true, categoryDenied: false }, calendarId: 'cal-1' },
        wanted: { events: [desired('a')], dataErrors: [], courses: [] },
      }),
      dedicated,
    );
    expect(found.setup).toMatchObject({ category: null, createCalendar: null, calendarId: 'cal-1', save: true });
    expect(found.ops[0]).toMatchObject({ kind: 'create', calendarId: 'cal-1' });
  });

  it('skips a category step Graph refused (403) for good; only a forced rebuild (retryRefused) asks again', () => {
    const refused = { calendarId: null, categoryEnsured: false, categoryDenied: true };
    const later = planPerson(reading({ setup: { stored: refused, calendarId: null } }), SETTINGS);
    expect(later.setup).toMatchObject({ category: null, categoryKept: { denied: true }, save: false });
    const forced = planPerson(reading({ setup: { stored: refused, calendarId: null, retryRefused: true } }), SETTINGS);
    expect(forced.setup).toMatchObject({ category: 'Undervisning', save: true });
  });

  it('reconciles against Graph: unkeyed events go, drift is repaired, and the store adopts what Graph holds', () => {
    const p = planPerson(
      reading({
        stored: [stored('a'), stored('lost-in-graph')],
        wanted: { events: [desired('a'), desired('b'), desired('c')], dataErrors: [], courses: [] },
        graph: {
          state: [
            { key: key('a'), graphEventId: 'g-a2', hash: 'h1' },
            { key: key('b'), graphEventId: 'g-b', hash: 'drift:h1' },
          ],
          unkeyed: ['g-x'],
        },
      }),
      SETTINGS,
    );
    expect(p.ops.map((o) => [o.kind, o.key])).toEqual([
      ['delete', '(no key)'],
      ['update', key('b')],
      ['create', key('c')],
    ]);
    expect(p.adopt!.forget).toEqual([key('lost-in-graph')]);
    expect(p.adopt!.save.map((s) => [s.key, s.graphEventId, s.mailbox])).toEqual([
      [key('a'), 'g-a2', MAILBOX],
      [key('b'), 'g-b', MAILBOX],
    ]);
  });

  it('writes a new series master under generation 0, and its exceptions in a phase after it', () => {
    const weeks = [35, 36, 37].map((w) => {
      const date = new Date(Date.UTC(2026, 7, 25) + (w - 35) * 7 * 86_400_000).toISOString().slice(0, 10);
      return tpEvent({
        eventid: `L+${w}`,
        id: 'ACT-1',
        summary: w === 36 ? 'Rekursjon' : '',
        dtstart: `${date}T10:15:00+02`,
        dtend: `${date}T12:00:00+02`,
        weeknr: w,
      } as Partial<TpEvent>);
    });
    const course: TpCourse = { course: COURSE, courseName: 'Kurs', events: weeks, rejected: [] };
    const events = weeklySeries(prepareCourse(course, contentSettings()).events);
    const master = events.find((e) => e.content.recurrence)!;
    const p = planPerson(reading({ wanted: { events, dataErrors: [], courses: [] } }), SETTINGS);
    expect(p.ops).toHaveLength(1);
    expect(p.ops[0]).toMatchObject({ kind: 'create', key: master.key, generation: 0 });
    expect(p.ops[0]).not.toHaveProperty('transactionKey');
    expect(p.series.exceptions.map((e) => e.masterKey)).toEqual([master.key]);
    expect(p.series.masters.get(master.key)).toBe(master);
    expect(p.result.planned).toEqual({ creates: 1, updates: 1, deletes: 0 });

    // Marked for replacement (an occurrence was deleted in Outlook): deleted and created again under
    // the next generation, so Graph cannot answer the create with the master being deleted.
    const stored = [
      { key: master.key, graphEventId: 'old', hash: 'replace-series', mailbox: MAILBOX, course: COURSE, generation: 2 },
    ];
    const again = planPerson(reading({ stored, wanted: { events, dataErrors: [], courses: [] } }), SETTINGS);
    const create = again.ops.find((o) => o.kind === 'create')!;
    expect(again.ops.map((o) => o.kind).sort()).toEqual(['create', 'delete']);
    expect(create).toMatchObject({ generation: 3, transactionKey: `${master.key}#3` });
    // A key whose record was forgotten takes the floor kept for it.
    const floors = planPerson(
      reading({ generations: new Map([[master.key, 5]]), wanted: { events, dataErrors: [], courses: [] } }),
      SETTINGS,
    );
    expect(floors.ops[0]).toMatchObject({ generation: 5, transactionKey: `${master.key}#5` });
  });
});
