import { describe, expect, it } from 'vitest';
import { roomEvents } from '../../src/desired/roomEvents';
import type { ContentSettings } from '../../src/domain/types';
import { planRoom, type RoomReading } from '../../src/sync/planRoom';
import { exampleCourse } from '../desired/tpExample';

const settings: ContentSettings = { institution: 'uio', timezone: 'Europe/Oslo', language: 'nb' };
const course = exampleCourse();
const roomId = course.events[0]!.rooms[0]!.id;
const desired = roomEvents({ roomId, courses: [course], settings }).events;

const reading = (over: Partial<RoomReading>): RoomReading => ({
  roomId,
  mailbox: 'aud1@rooms.uio.no',
  stored: [],
  generations: new Map(),
  wanted: { events: desired, dataErrors: [], courses: ['26h:IN1000,1'] },
  graph: null,
  ...over,
});

const stored = desired.map((d, i) => ({
  key: d.key,
  graphEventId: `g${i}`,
  hash: d.hash,
  mailbox: 'aud1@rooms.uio.no',
  course: d.course,
}));

/** The plan of a room job (pure). */
describe('planRoom', () => {
  it('creates the room events in the default calendar, with no set-up step and no person record', () => {
    const plan = planRoom(reading({}), 'uio');
    expect(plan.personId).toBe(`room:${roomId}`);
    expect(plan.outcome).toBe('synced');
    expect(plan.setup).toBeNull();
    expect(plan.record).toBeNull();
    expect(plan.ops.map((o) => o.kind)).toEqual(desired.map(() => 'create'));
    for (const op of plan.ops) expect(op.kind === 'create' && op.calendarId).toBe(null);
  });

  it('writes nothing when the room mailbox holds the desired events', () => {
    expect(planRoom(reading({ stored }), 'uio').ops).toEqual([]);
  });

  it('an unmapped room loses every kada event, not counted by the deletion guard (an operator decision)', () => {
    const plan = planRoom(
      reading({ mailbox: null, stored, wanted: { events: [], dataErrors: [], courses: [] } }),
      'uio',
    );
    expect(plan.outcome).toBe('unmapped');
    expect(plan.ops.map((o) => [o.kind, o.key])).toEqual(stored.map((s) => ['delete', s.key]));
    expect(plan.ops.some((o) => o.sourceRemoval)).toBe(false);
  });

  it('an occurrence that left the room is a source removal, as for a person', () => {
    const plan = planRoom(
      reading({ stored, wanted: { events: desired.slice(1), dataErrors: [], courses: [] } }),
      'uio',
    );
    expect(plan.ops).toHaveLength(1);
    expect(plan.ops[0]).toMatchObject({ kind: 'delete', key: desired[0]!.key, sourceRemoval: true });
  });

  it('a new mailbox for the room: the events go from the old one and are created in the new one', () => {
    const plan = planRoom(reading({ stored, mailbox: 'new-aud1@rooms.uio.no' }), 'uio');
    expect(plan.ops.filter((o) => o.kind === 'delete').map((o) => o.mailbox)).toEqual(
      stored.map(() => 'aud1@rooms.uio.no'),
    );
    expect(plan.ops.filter((o) => o.kind === 'create').map((o) => o.mailbox)).toEqual(
      desired.map(() => 'new-aud1@rooms.uio.no'),
    );
  });
});
