import { describe, it, expect } from 'vitest';
import { EventContentError, eventContent } from '../../src/desired/eventContent';
import { cancelledGroup, exampleCourse, lecture, settings, tpEvent } from './tpExample';

const NAME = exampleCourse().courseName;

describe('eventContent', () => {
  it('assembles a lecture per the contract', () => {
    const c = eventContent(lecture(), NAME, settings('nb'));
    expect(c.subject).toBe('IN1000 Forelesning – Velkommen og introduksjon');
    expect(c.start).toEqual({ dateTime: '2026-08-25T10:15:00', timeZone: 'W. Europe Standard Time' });
    expect(c.end).toEqual({ dateTime: '2026-08-25T12:00:00', timeZone: 'W. Europe Standard Time' });
    expect(c.showAs).toBe('busy');
    expect(c.location).toEqual({ displayName: 'Store auditorium, Ole-Johan Dahls hus' });
    expect(c.locations).toHaveLength(1);
    expect(c.body.contentType).toBe('html');
    expect(c.body.content).toContain('Kari Hansen');
    expect(c.categories).toEqual(['Undervisning']);
    expect(c.isReminderOn).toBe(false);
    expect(c).not.toHaveProperty('attendees');
    expect(c).not.toHaveProperty('recurrence');
  });

  it('assembles a cancelled group session in nb, nn and en', () => {
    const expected = {
      nb: { subject: 'AVLYST: IN1000 Gruppe 3', category: 'Undervisning', place: 'Digital undervisning' },
      nn: { subject: 'AVLYST: IN1000 Gruppe 3', category: 'Undervisning', place: 'Digital undervisning' },
      en: { subject: 'CANCELLED: IN1000 Gruppe 3', category: 'Teaching', place: 'Online teaching' },
    } as const;
    for (const lang of ['nb', 'nn', 'en'] as const) {
      const c = eventContent(cancelledGroup(), NAME, settings(lang));
      expect(c.subject).toBe(expected[lang].subject);
      expect(c.showAs).toBe('free');
      expect(c.categories).toEqual([expected[lang].category]);
      expect(c.location.displayName).toBe(expected[lang].place);
      // TP wrote "2026-08-27 14:15:00+02": space instead of T, short offset.
      expect(c.start).toEqual({ dateTime: '2026-08-27T14:15:00', timeZone: 'W. Europe Standard Time' });
      expect(c.end).toEqual({ dateTime: '2026-08-27T16:00:00', timeZone: 'W. Europe Standard Time' });
      expect(c.isReminderOn).toBe(false);
    }
  });

  it('writes the same instants in another configured zone', () => {
    const c = eventContent(lecture(), NAME, { ...settings('en'), timezone: 'UTC' });
    expect(c.start).toEqual({ dateTime: '2026-08-25T08:15:00', timeZone: 'UTC' });
  });

  it('rejects unparsable times and an end before the start with a stable code', () => {
    const bad = [
      tpEvent({ dtstart: 'soon' }),
      tpEvent({ dtend: '2026-08-25T25:00:00+02' }),
      tpEvent({ dtend: '2026-08-25T10:00:00+02' }),
    ];
    for (const ev of bad) {
      try {
        eventContent(ev, NAME, settings());
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(EventContentError);
        expect((err as EventContentError).code).toBe('TP_EVENT_INVALID');
        expect((err as EventContentError).eventid).toBe(ev.eventid);
      }
    }
  });
});
