import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { eventKey, parseEventKey } from '../../src/desired/eventKey';

describe('eventKey', () => {
  const course = { courseId: 'IN1000', version: '1', semester: '26h' };

  it('follows the KEY marker format of graph.md', () => {
    expect(eventKey(course, '26H-IN1000-1-1-1-1+35+2')).toBe('tp:26h:IN1000,1:26H-IN1000-1-1-1-1+35+2');
  });

  it('parses back what it wrote', () => {
    expect(parseEventKey('tp:26h:IN1000,1:26H-IN1000-1-1-1-1+35+2')).toEqual({
      course,
      eventid: '26H-IN1000-1-1-1-1+35+2',
    });
  });

  it('round-trips any course code, version and eventid without separators in the wrong place', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9ÆØÅæøå._+-]{1,12}$/);
    fc.assert(
      fc.property(part, part, part, fc.string({ minLength: 1 }), (courseId, version, semester, eventid) => {
        const c = { courseId, version, semester };
        expect(parseEventKey(eventKey(c, eventid))).toEqual({ course: c, eventid });
      }),
    );
  });

  it('rejects keys kada did not write', () => {
    for (const bad of ['', 'tp:26h:IN1000:1', 'fs:26h:IN1000,1:x', 'tp:26h:IN1000,1:', 'tp::IN1000,1:x']) {
      expect(parseEventKey(bad)).toBeNull();
    }
  });
});
