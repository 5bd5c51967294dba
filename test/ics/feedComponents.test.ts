import { describe, expect, it } from 'vitest';
import { prepareCourse } from '../../src/desired/desiredEvents';
import { weeklySeries } from '../../src/desired/series';
import type { DesiredEvent, TpCourse, TpEvent } from '../../src/domain/types';
import { feedComponents } from '../../src/ics/feedComponents';
import { renderCalendar } from '../../src/ics/renderCalendar';
import { icsOccurrences } from '../../testkit/support/icsView';
import { settings, tpEvent } from '../desired/tpExample';

const REF = { courseId: 'IN1000', version: '1', semester: '26h' };
const FEED = { institution: 'uio', timezone: 'Europe/Oslo' };
const RENDER = { timezone: 'Europe/Oslo', name: 'Timeplan' };

/** A Tuesday 10:15-12:00 lecture in week `week` of 2026 (week 35 = 25 August), Oslo time. */
function weekly(week: number, over: Partial<TpEvent> = {}): TpEvent {
  const date = new Date(Date.UTC(2026, 7, 25) + (week - 35) * 7 * 86_400_000).toISOString().slice(0, 10);
  const offset = week >= 44 ? '+01' : '+02'; // CET from 25 October
  return tpEvent({
    eventid: `L+${week}`,
    id: 'ACT-1',
    summary: '',
    dtstart: `${date}T10:15:00${offset}`,
    dtend: `${date}T12:00:00${offset}`,
    weeknr: week,
    ...over,
  });
}

/** A semester with what planners do: a cancelled week, a re-roomed week, a topic, a move within a week. */
function semester(): TpEvent[] {
  const room = { id: 'R2', roomname: 'Lille auditorium', buildingname: 'Ole-Johan Dahls hus' };
  return [35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46].map((w) =>
    weekly(w, {
      ...(w === 37 ? { cancelled: true } : {}),
      ...(w === 39 ? { rooms: [room] } : {}),
      ...(w === 41 ? { summary: 'Repetisjon' } : {}),
      ...(w === 43 ? { dtstart: '2026-10-22T14:15:00+02', dtend: '2026-10-22T16:00:00+02' } : {}),
    }),
  );
}

const course = (events: TpEvent[]): TpCourse => ({ course: REF, courseName: 'Kurs', events, rejected: [] });
const single = (events: TpEvent[]) => prepareCourse(course(events), settings()).events.map((p) => p.desired);
const series = (events: TpEvent[]) => weeklySeries(prepareCourse(course(events), settings()).events);
const render = (desired: DesiredEvent[]) => renderCalendar(feedComponents(desired, FEED), new Map(), RENDER);

/** What a person sees of one occurrence, the same way from the desired event and from the feed. */
const seen = (o: { start: string; end: string; subject: string; location: string; cancelled: boolean }) => ({
  start: o.start,
  end: o.end,
  subject: o.subject,
  location: o.location,
  cancelled: o.cancelled,
});

describe('feedComponents + renderCalendar', () => {
  it('gives one VEVENT per occurrence with the subject, times, location and status of the Outlook event', () => {
    const desired = single(semester());
    const text = render(desired);
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\n/);
    expect(text).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Oslo');
    expect(text).toContain('DTSTART;TZID=Europe/Oslo:20260825T101500');
    expect(text).toContain(`UID:${desired[0]!.key}@uio`);
    const parsed = icsOccurrences(text);
    expect(parsed.map((o) => o.subject).sort()).toEqual(desired.map((d) => d.content.subject).sort());
    expect(parsed).toHaveLength(12);
    expect(parsed.filter((o) => o.cancelled).map((o) => o.subject)).toEqual(['AVLYST: IN1000 Forelesning']);
    // Instants are TP's, across the change to winter time.
    expect(parsed.map((o) => o.start)).toContain('2026-08-25T08:15:00.000Z');
    expect(parsed.map((o) => o.start)).toContain('2026-11-03T09:15:00.000Z');
    expect(parsed.map((o) => o.start)).toContain('2026-10-22T12:15:00.000Z');
    expect(parsed.find((o) => o.location.startsWith('Lille'))?.start).toBe('2026-09-22T08:15:00.000Z');
    expect(parsed[0]!.description).toMatch(/^Emne: IN1000 Kurs\n/);
    expect(parsed.every((o) => o.uid.endsWith('@uio'))).toBe(true);
  });

  it('writes a series as one VEVENT with an RRULE and RECURRENCE-ID overrides that show the same weeks', () => {
    const events = semester();
    const text = render(series(events));
    expect(text.match(/^RRULE:FREQ=WEEKLY;.*BYDAY=TU;.*UNTIL=\d{8}T\d{6}Z$/m)).not.toBeNull();
    expect(text).toMatch(/^RECURRENCE-ID;TZID=Europe\/Oslo:20260908T101500$/m);
    expect(text).toMatch(/^STATUS:CANCELLED$/m);
    const bySeries = icsOccurrences(text).map(seen);
    const byWeek = icsOccurrences(render(single(events))).map(seen);
    expect(bySeries).toEqual(byWeek);
  });

  it('hashes each component: equal input, equal hash and bytes; a changed week changes only its own hash', () => {
    const a = feedComponents(single(semester()), FEED);
    const b = feedComponents(single(semester()), FEED);
    expect(b.map((c) => c.hash)).toEqual(a.map((c) => c.hash));
    expect(renderCalendar(b, new Map(), RENDER)).toBe(renderCalendar(a, new Map(), RENDER));
    const changed = semester().map((e) => (e.eventid === 'L+40' ? { ...e, summary: 'Gjesteforelesning' } : e));
    const c = feedComponents(single(changed), FEED);
    const differ = c.filter((x, i) => x.hash !== a[i]!.hash).map((x) => x.key);
    expect(differ).toEqual(['tp:26h:IN1000,1:L+40']);
  });

  it('writes the SEQUENCE and DTSTAMP it is given per component', () => {
    const comps = feedComponents(single(semester()).slice(0, 2), FEED);
    const stamp = new Date('2026-09-01T10:00:00Z');
    const text = renderCalendar(comps, new Map([[comps[1]!.key, { sequence: 3, stamp }]]), RENDER);
    const parsed = icsOccurrences(text);
    expect(parsed.map((o) => [o.sequence, o.stamp])).toEqual([
      [0, '1970-01-01T00:00:00.000Z'],
      [3, '2026-09-01T10:00:00.000Z'],
    ]);
  });

  it('writes an instant in the hour repeated in autumn in UTC, so it is not read as the other one', () => {
    // 02:30 Oslo time on 25 October 2026 names two instants, before and after the clocks went back.
    for (const [offset, utc] of [
      ['+02', '00:30'],
      ['+01', '01:30'],
    ] as const) {
      const e = weekly(43, {
        eventid: 'NIGHT',
        dtstart: `2026-10-25T02:30:00${offset}`,
        dtend: '2026-10-25T04:30:00+01',
      });
      const text = render(single([e]));
      expect(text).toContain(`DTSTART:20261025T${utc.replace(':', '')}00Z`);
      expect(text).toContain('DTEND:20261025T033000Z'); // a VEVENT's times share one form
      expect(icsOccurrences(text)[0]!.start).toBe(`2026-10-25T${utc}:00.000Z`);
    }
  });
});
