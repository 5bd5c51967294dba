import { describe, it, expect } from 'vitest';
import { location } from '../../src/desired/location';
import type { TpRoom } from '../../src/domain/types';
import { cancelledGroup, lecture, tpEvent } from './tpExample';

const room = (over: Partial<TpRoom>): TpRoom => ({ id: 'R', roomname: 'Rom', buildingname: 'Hus', ...over });

describe('location', () => {
  it('names the lecture room with its building and links its map', () => {
    expect(location(lecture(), 'nb')).toEqual({
      location: { displayName: 'Store auditorium, Ole-Johan Dahls hus' },
      locations: [
        { displayName: 'Store auditorium, Ole-Johan Dahls hus', locationUri: 'https://example.org/map/BL27SAUD1' },
      ],
    });
  });

  it('joins several rooms with "; " and lists each one', () => {
    const ev = tpEvent({
      rooms: [
        room({ id: 'A', roomname: 'Sal 1', buildingname: 'Fysikkbygningen' }),
        room({ id: 'B', roomname: 'Sal 2', buildingname: undefined }),
      ],
    });
    const loc = location(ev, 'nb');
    expect(loc.location.displayName).toBe('Sal 1, Fysikkbygningen; Sal 2');
    expect(loc.locations.map((l) => l.displayName)).toEqual(['Sal 1, Fysikkbygningen', 'Sal 2']);
  });

  it('says a session without rooms is digital, in the language', () => {
    expect(location(cancelledGroup(), 'nb').location.displayName).toBe('Digital undervisning');
    expect(location(cancelledGroup(), 'nn').location.displayName).toBe('Digital undervisning');
    expect(location(cancelledGroup(), 'en').location.displayName).toBe('Online teaching');
    expect(location(cancelledGroup(), 'en').locations).toEqual([]);
  });

  it('says a video-only session is digital and keeps its http(s) link', () => {
    const ev = tpEvent({
      rooms: [
        room({ roomname: 'Zoom', buildingname: undefined, videolink: true, roomurl: 'https://zoom.example/j/1' }),
      ],
    });
    expect(location(ev, 'en')).toEqual({
      location: { displayName: 'Online teaching' },
      locations: [{ displayName: 'Zoom', locationUri: 'https://zoom.example/j/1' }],
    });
  });

  it('marks a hybrid session as digital too, after its rooms', () => {
    const ev = tpEvent({ rooms: [room({}), room({ id: 'V', roomname: '', videolink: true })] });
    expect(location(ev, 'nb').location.displayName).toBe('Rom, Hus; Digital undervisning');
  });

  it('drops a room URL that is not http(s)', () => {
    for (const roomurl of ['javascript:alert(1)', 'data:text/html,x', '/map/1', 'ftp://x/y', '']) {
      const loc = location(tpEvent({ rooms: [room({ roomurl })] }), 'nb');
      expect(loc.locations).toEqual([{ displayName: 'Rom, Hus' }]);
    }
  });
});
