import { describe, expect, it } from 'vitest';
import type { DesiredEvent, EventContent, TpEvent } from '../../src/domain/types';
import { PRIORITY } from '../../src/jobs/types';
import { touchesNearTerm } from '../../src/planner/nearTerm';
import type { StoredEvent } from '../../src/store/syncedEvents';
import type { PersonReading } from '../../src/sync/personJob';
import { planPerson } from '../../src/sync/planPerson';
import { COURSE, KARI, key, MAILBOX, SETTINGS, stored } from './planFixture';

/** Near-term first, pure: a person's writes nearest first; a split leaves only new later weeks. */

const NOW = new Date('2026-09-01T08:00:00Z');
const at = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString().slice(0, 19);
const content = (days: number): EventContent => ({
  subject: 'IN1000 Forelesning',
  start: { dateTime: at(days), timeZone: 'UTC' },
  end: { dateTime: at(days + 0.08), timeZone: 'UTC' },
  showAs: 'busy',
  location: { displayName: 'Aud 1' },
  locations: [],
  body: { contentType: 'html', content: '' },
  categories: ['Undervisning'],
  isReminderOn: false,
});
const event = (id: string, days: number, hash = 'h1'): DesiredEvent => ({
  key: key(id),
  course: COURSE,
  content: content(days),
  hash,
});
function reading(events: DesiredEvent[], state: StoredEvent[] = []): PersonReading {
  return {
    personId: '1001',
    fsPerson: KARI,
    known: null,
    stored: state,
    mailbox: MAILBOX,
    wanted: { events, dataErrors: [], courses: ['26h:IN1000,1'] },
    previous: null,
    setup: { stored: { calendarId: null, categoryEnsured: true, categoryDenied: false }, calendarId: null },
    graph: null,
  };
}
const ids = (ops: { key: string; kind: string }[]) => ops.map((o) => `${o.kind}:${o.key.split(':').pop()}`);

describe('near-term first', () => {
  const semester = [event('w9', 60), event('past', -3), event('w1', 2), event('w3', 16), event('w2', 9)];

  it("writes a person's events nearest first, events already over last", () => {
    const plan = planPerson(reading(semester), SETTINGS, { now: NOW, split: false, priority: PRIORITY.forced });
    expect(ids(plan.ops)).toEqual(['create:w1', 'create:w2', 'create:w3', 'create:w9', 'create:past']);
    expect(plan.deferred).toBeNull();
  });

  it('a first sync writes the next 14 days and leaves the later weeks to a job of the fill rest', () => {
    const plan = planPerson(reading(semester), SETTINGS, { now: NOW, split: true, priority: PRIORITY.fill });
    expect(ids(plan.ops)).toEqual(['create:w1', 'create:w2']);
    expect(plan.deferred).toEqual({ creates: 3, priority: PRIORITY.fillRest });
    // the whole plan is still what a dry run shows
    expect(plan.result.planned.creates).toBe(5);
  });

  it('never leaves deletes, updates or recorded events for later, so nothing later looks deleted', () => {
    const events = [event('w1', 2), event('w5', 30, 'h2'), event('w6', 37)];
    const state = [stored('w5', 'h1'), stored('gone')];
    const plan = planPerson(reading(events, state), SETTINGS, {
      now: NOW,
      split: true,
      priority: PRIORITY.nearChange,
    });
    // later weeks kada wrote before: a change to a person in step, written now in full, nearest first
    expect(ids(plan.ops)).toEqual(['delete:gone', 'create:w1', 'update:w5', 'create:w6']);
    expect(plan.deferred).toBeNull();
  });

  it('the job that writes the later weeks never leaves them again (no split loop)', () => {
    const first = planPerson(reading(semester), SETTINGS, { now: NOW, split: true, priority: PRIORITY.fill });
    expect(first.deferred?.priority).toBe(PRIORITY.fillRest);
    const rest = planPerson(reading(semester), SETTINGS, { now: NOW, split: true, priority: PRIORITY.fillRest });
    expect(rest.deferred).toBeNull();
    expect(ids(rest.ops)).toEqual(['create:w1', 'create:w2', 'create:w3', 'create:w9', 'create:past']);
  });

  it('a first pass with nothing in the next 14 days writes nothing, the set-up included', () => {
    const later = [event('w3', 16), event('w9', 60)];
    const fresh = { stored: null, calendarId: null };
    const plan = (priority: number) =>
      planPerson({ ...reading(later), setup: fresh }, SETTINGS, { now: NOW, split: true, priority });
    const first = plan(PRIORITY.fill);
    expect(first).toMatchObject({ ops: [], setup: null, deferred: { creates: 2, priority: PRIORITY.fillRest } });
    const rest = plan(PRIORITY.fillRest);
    expect(rest.setup).toMatchObject({ category: 'Undervisning', save: true });
    expect(ids(rest.ops)).toEqual(['create:w3', 'create:w9']);
  });

  it('a plan with nothing later is not split', () => {
    const plan = planPerson(reading([event('w1', 2)]), SETTINGS, { now: NOW, split: true, priority: PRIORITY.fill });
    expect(plan.deferred).toBeNull();
  });
});

describe('a course change touching the next 14 days', () => {
  const tp = (id: string, days: number, room = 'Aud 1'): TpEvent =>
    ({
      eventid: id,
      id,
      dtstart: `${at(days)}Z`,
      dtend: `${at(days + 0.08)}Z`,
      rooms: [{ id: room }],
    }) as unknown as TpEvent;
  const course = [tp('a', 3), tp('b', 40)];

  it('is near when an event in the window changes, moves in or out, and not when only later weeks change', () => {
    expect(touchesNearTerm(course, [tp('a', 3, 'Aud 2'), tp('b', 40)], NOW)).toBe(true);
    expect(touchesNearTerm(course, [tp('a', 3), tp('b', 10)], NOW)).toBe(true);
    expect(touchesNearTerm(course, [tp('a', 20), tp('b', 40)], NOW)).toBe(true);
    expect(touchesNearTerm(course, [tp('a', 3), tp('b', 41, 'Aud 2')], NOW)).toBe(false);
    expect(touchesNearTerm(null, [tp('b', 40)], NOW)).toBe(false);
    expect(touchesNearTerm(null, course, NOW)).toBe(true);
  });
});
