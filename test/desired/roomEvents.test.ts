import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roomEvents } from '../../src/desired/roomEvents';
import type { ContentSettings, TpCourse } from '../../src/domain/types';
import { exampleCourse } from './tpExample';

const settings: ContentSettings = { institution: 'uio', timezone: 'Europe/Oslo', language: 'nb' };

/** The events of a room mailbox (rooms-ics.md), a pure function of the course timetables. */
describe('roomEvents', () => {
  const course = exampleCourse();
  const roomIds = [...new Set(course.events.flatMap((e) => e.rooms.map((r) => r.id)))];

  it('gives a room every occurrence booked in it, keyed tp-room:, and nothing else', () => {
    expect(roomIds.length).toBeGreaterThan(0);
    for (const roomId of roomIds) {
      const { events } = roomEvents({ roomId, courses: [course], settings });
      const expected = course.events
        .filter((e) => e.rooms.some((r) => r.id === roomId))
        .map((e) => `tp-room:26h:IN1000,1:${e.eventid}`)
        .sort();
      expect(events.map((e) => e.key)).toEqual(expected);
    }
    expect(roomEvents({ roomId: 'NOWHERE', courses: [course], settings }).events).toEqual([]);
  });

  it('writes the room itself as the location, no category, no reminder, a short body', () => {
    const roomId = roomIds[0]!;
    const [first] = roomEvents({ roomId, courses: [course], settings }).events;
    const tp = course.events.find((e) => first!.key.endsWith(`:${e.eventid}`))!;
    const room = tp.rooms.find((r) => r.id === roomId)!;
    const c = first!.content;
    expect(c.location.displayName).toBe([room.roomname, room.buildingname].filter(Boolean).join(', '));
    expect(c.locations.map((l) => l.displayName)).toEqual([c.location.displayName]);
    expect(c.categories).toEqual([]);
    expect(c.isReminderOn).toBe(false);
    expect(c.body.content).toContain('Emne: IN1000');
    expect(c.body.content).toContain('oppdateres automatisk');
    expect(c.body.content).not.toContain('Emnesiden');
    expect(c.showAs).toBe(tp.cancelled ? 'free' : 'busy');
  });

  it('marks a cancelled occurrence free with the cancelled prefix, as for persons', () => {
    const roomId = roomIds[0]!;
    const cancelled: TpCourse = { ...course, events: course.events.map((e) => ({ ...e, cancelled: true })) };
    for (const e of roomEvents({ roomId, courses: [cancelled], settings }).events) {
      expect(e.content.showAs).toBe('free');
      expect(e.content.subject.startsWith('AVLYST: ')).toBe(true);
    }
  });

  it('is the union over the courses: each course adds exactly its own occurrences in the room', () => {
    fc.assert(
      fc.property(fc.subarray(course.events, { minLength: 0 }), (subset) => {
        const part: TpCourse = { ...course, events: subset };
        const other: TpCourse = { ...course, course: { ...course.course, courseId: 'IN2000' }, events: course.events };
        for (const roomId of roomIds) {
          const both = roomEvents({ roomId, courses: [part, other], settings }).events.map((e) => e.key);
          const a = roomEvents({ roomId, courses: [part], settings }).events.map((e) => e.key);
          const b = roomEvents({ roomId, courses: [other], settings }).events.map((e) => e.key);
          expect(both).toEqual([...a, ...b].sort());
        }
      }),
      { numRuns: 50 },
    );
  });

  it('records an occurrence with unusable times as a data error and keeps the rest', () => {
    const roomId = roomIds[0]!;
    const broken: TpCourse = {
      ...course,
      events: course.events.map((e, i) =>
        i === 0 ? { ...e, dtstart: 'soon', rooms: [{ ...e.rooms[0]!, id: roomId }] } : e,
      ),
    };
    const { events, errors } = roomEvents({ roomId, courses: [broken], settings });
    expect(errors.map((e) => e.code)).toEqual(['TP_EVENT_INVALID']);
    expect(events.some((e) => e.key.endsWith(`:${course.events[0]!.eventid}`))).toBe(false);
  });
});
