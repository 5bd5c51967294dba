import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { applyPlan, diff, isEmptyPlan } from '../../src/diff/diff';
import type { DesiredEvent, EventContent, SyncedEvent } from '../../src/domain/types';

const CONTENT: EventContent = {
  subject: 's',
  start: { dateTime: '2026-08-25T10:15:00', timeZone: 'W. Europe Standard Time' },
  end: { dateTime: '2026-08-25T12:00:00', timeZone: 'W. Europe Standard Time' },
  showAs: 'busy',
  location: { displayName: '' },
  locations: [],
  body: { contentType: 'html', content: '' },
  categories: [],
  isReminderOn: false,
};
const COURSE = { courseId: 'IN1000', version: '1', semester: '26h' };

const desired = (key: string, hash: string): DesiredEvent => ({ key, course: COURSE, content: CONTENT, hash });
const synced = (key: string, hash: string, graphEventId = `g-${key}`): SyncedEvent => ({ key, graphEventId, hash });

// Few keys and hashes, so desired and state overlap and hashes collide often.
const key = fc.constantFrom(...'abcdefghij'.split('').map((c) => `tp:26h:IN1000,1:${c}`));
const hash = fc.constantFrom('h1', 'h2', 'h3');
const desiredList = fc
  .uniqueArray(fc.tuple(key, hash), { selector: ([k]) => k })
  .map((l) => l.map(([k, h]) => desired(k, h)));
const stateList = fc
  .uniqueArray(fc.tuple(key, hash), { selector: ([k]) => k })
  .map((l) => l.map(([k, h], i) => synced(k, h, `g${i}`)));

const asState = (d: DesiredEvent[]) => d.map((e) => synced(e.key, e.hash));
const byKeyAndHash = (s: { key: string; hash: string }[]) =>
  s.map(({ key, hash }) => ({ key, hash })).sort((a, b) => a.key.localeCompare(b.key));
const planKeys = (p: ReturnType<typeof diff>) => [...p.creates, ...p.updates, ...p.deletes].map((o) => o.key);

describe('diff', () => {
  it('creates, updates and deletes by key and hash', () => {
    const plan = diff(
      [desired('k:new', 'h1'), desired('k:changed', 'h2'), desired('k:same', 'h1')],
      [synced('k:changed', 'h1', 'g1'), synced('k:same', 'h1', 'g2'), synced('k:gone', 'h1', 'g3')],
    );
    expect(plan.creates.map((c) => c.key)).toEqual(['k:new']);
    expect(plan.updates).toEqual([
      { kind: 'update', key: 'k:changed', graphEventId: 'g1', desired: desired('k:changed', 'h2') },
    ]);
    expect(plan.deletes).toEqual([{ kind: 'delete', key: 'k:gone', graphEventId: 'g3' }]);
  });

  it('is empty when the calendar already matches (diff(a, a))', () => {
    fc.assert(
      fc.property(desiredList, (a) => {
        expect(isEmptyPlan(diff(a, asState(a)))).toBe(true);
      }),
    );
  });

  it('leads from any state to the desired one when applied', () => {
    fc.assert(
      fc.property(desiredList, stateList, (b, a) => {
        const next = applyPlan(a, diff(b, a), (k) => `new-${k}`);
        expect(byKeyAndHash(next)).toEqual(byKeyAndHash(b));
        expect(isEmptyPlan(diff(b, next))).toBe(true);
      }),
    );
  });

  it('never names a key twice in one plan', () => {
    fc.assert(
      fc.property(desiredList, stateList, (b, a) => {
        const keys = planKeys(diff(b, a));
        expect(new Set(keys).size).toBe(keys.length);
      }),
    );
  });

  it('updates exactly the events whose hash differs, with the id kada wrote', () => {
    fc.assert(
      fc.property(desiredList, stateList, (b, a) => {
        const plan = diff(b, a);
        const state = new Map(a.map((s) => [s.key, s]));
        for (const u of plan.updates) {
          expect(u.desired.hash).not.toBe(state.get(u.key)!.hash);
          expect(u.graphEventId).toBe(state.get(u.key)!.graphEventId);
        }
        const changed = b.filter((d) => state.has(d.key) && state.get(d.key)!.hash !== d.hash).map((d) => d.key);
        expect(plan.updates.map((u) => u.key).sort()).toEqual(changed.sort());
      }),
    );
  });

  it('deletes duplicates of one key and keeps the copy that is up to date', () => {
    const plan = diff(
      [desired('k', 'h2')],
      [synced('k', 'h1', 'old'), synced('k', 'h2', 'good'), synced('k', 'h1', 'older')],
    );
    expect(plan.creates).toEqual([]);
    expect(plan.updates).toEqual([]);
    expect(plan.deletes.map((d) => d.graphEventId).sort()).toEqual(['old', 'older']);
  });

  it('repairs any state with duplicates in one pass', () => {
    const dupState = fc
      .array(fc.tuple(key, hash), { maxLength: 20 })
      .map((l) => l.map(([k, h], i) => synced(k, h, `g${i}`)));
    fc.assert(
      fc.property(desiredList, dupState, (b, a) => {
        const next = applyPlan(a, diff(b, a), (k) => `new-${k}`);
        expect(byKeyAndHash(next)).toEqual(byKeyAndHash(b));
      }),
    );
  });

  it('lists each kind of write sorted by key', () => {
    const plan = diff([desired('c', 'h'), desired('a', 'h'), desired('b', 'h')], [synced('z', 'h'), synced('y', 'h')]);
    expect(plan.creates.map((c) => c.key)).toEqual(['a', 'b', 'c']);
    expect(plan.deletes.map((c) => c.key)).toEqual(['y', 'z']);
  });
});
