import { describe, it, expect } from 'vitest';
import { diff } from '../../src/diff/diff';
import { planSeries } from '../../src/diff/seriesPlan';
import { prepareCourse } from '../../src/desired/desiredEvents';
import { weeklySeries } from '../../src/desired/series';
import type { DesiredEvent, SyncedEvent, TpCourse, TpEvent } from '../../src/domain/types';
import { settings, tpEvent } from '../desired/tpExample';

const REF = { courseId: 'IN1000', version: '1', semester: '26h' };
const MASTER = 'tp:26h:IN1000,1:weekly:L+35';

/** A Tuesday 10:15-12:00 lecture in week `week` of 2026, Oslo summer time (weeks 35-43). */
function weekly(week: number, over: Partial<TpEvent> = {}): TpEvent {
  const date = new Date(Date.UTC(2026, 7, 25) + (week - 35) * 7 * 86_400_000).toISOString().slice(0, 10);
  return tpEvent({
    eventid: `L+${week}`,
    id: 'ACT-1',
    summary: '',
    dtstart: `${date}T10:15:00+02`,
    dtend: `${date}T12:00:00+02`,
    weeknr: week,
    ...over,
  });
}

const desiredOf = (events: TpEvent[]) => {
  const course: TpCourse = { course: REF, courseName: 'Kurs', events, rejected: [] };
  return weeklySeries(prepareCourse(course, settings()).events);
};
/** The state after everything in `desired` was written: masters and exceptions recorded. */
const written = (desired: DesiredEvent[]): SyncedEvent[] =>
  desired.map((d) => ({ key: d.key, graphEventId: `g-${d.key}`, hash: d.hash }));
const plan = (desired: DesiredEvent[], state: SyncedEvent[]) => planSeries(diff(desired, state), desired, state);

const semester = (over: Record<number, Partial<TpEvent>> = {}) =>
  desiredOf([35, 36, 37, 38, 39].map((w) => weekly(w, over[w] ?? {})));

describe('planSeries', () => {
  it('creates a new master first and patches its exceptions afterwards, looking their instances up', () => {
    const desired = semester({ 36: { summary: 'Rekursjon' }, 38: { cancelled: true } });
    const p = plan(desired, []);
    expect(p.plan.creates.map((c) => c.key)).toEqual([MASTER]);
    expect(p.plan.updates).toEqual([]);
    expect(p.exceptions.map((e) => [e.originalDate, e.instanceId, e.content.subject])).toEqual([
      ['2026-09-01', null, 'IN1000 Forelesning – Rekursjon'],
      ['2026-09-15', null, 'AVLYST: IN1000 Forelesning'],
    ]);
    expect(p.forget).toEqual([]);
  });

  it('writes nothing when nothing changed', () => {
    const desired = semester({ 36: { summary: 'Rekursjon' } });
    const p = plan(desired, written(desired));
    expect([p.plan.creates, p.plan.updates, p.plan.deletes, p.exceptions, p.forget]).toEqual([[], [], [], [], []]);
  });

  it('patches a changed exception in place, by its recorded instance id', () => {
    const before = semester({ 36: { summary: 'Rekursjon' } });
    const after = semester({ 36: { summary: 'Rekursjon og induksjon' } });
    const p = plan(after, written(before));
    expect(p.plan).toEqual({ creates: [], updates: [], deletes: [] });
    expect(p.exceptions).toMatchObject([
      { key: `${MASTER}@2026-09-01`, instanceId: `g-${MASTER}@2026-09-01`, desired: { hash: after[1]!.hash } },
    ]);
  });

  it('patches a new exception of an unchanged master after looking its instance up', () => {
    const before = semester();
    const after = semester({ 37: { rooms: [] } });
    const p = plan(after, written(before));
    expect(p.plan).toEqual({ creates: [], updates: [], deletes: [] });
    expect(p.exceptions.map((e) => [e.key, e.instanceId])).toEqual([[`${MASTER}@2026-09-08`, null]]);
  });

  it('puts a week back to the master content when it is like the others again', () => {
    const before = semester({ 37: { cancelled: true } });
    const after = semester();
    const p = plan(after, written(before));
    expect(p.plan).toEqual({ creates: [], updates: [], deletes: [] });
    expect(p.exceptions).toHaveLength(1);
    expect(p.exceptions[0]).toMatchObject({
      key: `${MASTER}@2026-09-08`,
      instanceId: `g-${MASTER}@2026-09-08`,
      desired: null,
    });
    expect(p.exceptions[0]!.content).toMatchObject({
      subject: 'IN1000 Forelesning',
      showAs: 'busy',
      start: { dateTime: '2026-09-08T10:15:00' },
    });
  });

  it('replaces a changed master instead of patching it, and writes all its exceptions anew', () => {
    const before = semester({ 36: { summary: 'Rekursjon' } });
    // One week longer.
    const after = desiredOf([35, 36, 37, 38, 39, 40].map((w) => weekly(w, w === 36 ? { summary: 'Rekursjon' } : {})));
    const p = plan(after, written(before));
    expect(p.plan.deletes).toEqual([{ kind: 'delete', key: MASTER, graphEventId: `g-${MASTER}` }]);
    expect(p.plan.creates.map((c) => c.key)).toEqual([MASTER]);
    expect(p.plan.updates).toEqual([]);
    expect(p.forget.map((f) => f.key)).toEqual([`${MASTER}@2026-09-01`]);
    expect(p.exceptions.map((e) => [e.key, e.instanceId])).toEqual([[`${MASTER}@2026-09-01`, null]]);
  });

  it('deletes a master that is no longer wanted and only forgets its exceptions', () => {
    const before = semester({ 36: { summary: 'Rekursjon' } });
    const p = plan([], written(before));
    expect(p.plan.deletes.map((d) => d.key)).toEqual([MASTER]);
    expect(p.exceptions).toEqual([]);
    expect(p.forget.map((f) => f.key)).toEqual([`${MASTER}@2026-09-01`]);
  });

  it('leaves plans without series exactly as diff made them', () => {
    const single = desiredOf([weekly(35)]);
    const state: SyncedEvent[] = [{ key: 'tp:26h:IN1000,1:old', graphEventId: 'g1', hash: 'h' }];
    const d = diff(single, state);
    expect(planSeries(d, single, state)).toEqual({ plan: d, exceptions: [], forget: [] });
  });
});
