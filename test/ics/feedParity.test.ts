import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/admin/server';
import { parseTpTime } from '../../src/desired/time';
import type { CourseRef } from '../../src/domain/types';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { ADMIN_TOKEN, startHarness, type Harness } from '../../testkit/support/harness';
import { icsOccurrences } from '../../testkit/support/icsView';
import { mailboxView } from '../../testkit/support/mailboxView';

/**
 * The feed shows a person exactly what their Outlook calendar shows: the feed, read by a real ICS
 * parser (node-ical, series expanded with their overrides), equals the person's mailbox in the Graph
 * emulator occurrence by occurrence (start, end, subject, location, cancelled), in both series modes,
 * before and after TP moves, cancels, re-rooms, retitles and deletes single weeks.
 */
const SEED = 17;
const modes = ['off', 'weekly'] as const;
const worlds = new Map<(typeof modes)[number], { h: Harness; app: FastifyInstance }>();

beforeAll(async () => {
  for (const mode of modes) {
    const h = await startHarness({ seed: SEED, students: 40, env: { SERIES_MODE: mode } });
    const app = await buildAdminApp(h.ctx, { isReady: async () => ({ database: true, broker: true }) });
    worlds.set(mode, { h, app });
  }
});
afterAll(async () => {
  for (const { h, app } of worlds.values()) {
    await app.close();
    await h.close();
  }
});

const outlook = (h: Harness, mailbox: string) =>
  mailboxView(h, mailbox).map((o) => ({
    start: o.start,
    end: o.end,
    subject: o.subject,
    location: o.location,
    cancelled: o.showAs === 'free',
  }));

async function feed(mode: (typeof modes)[number], person: string) {
  const { app } = worlds.get(mode)!;
  const created = await app.inject({
    method: 'POST',
    url: `/api/persons/${person}/ics`,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(created.statusCode).toBe(201);
  const res = await app.inject({ method: 'GET', url: new URL(created.json().url).pathname });
  expect(res.statusCode).toBe(200);
  return { text: res.body, seen: icsOccurrences(res.body) };
}

const view = (seen: ReturnType<typeof icsOccurrences>) =>
  seen.map(({ start, end, subject, location, cancelled }) => ({ start, end, subject, location, cancelled }));

async function compare(personId: string, mailbox: string) {
  for (const mode of modes) {
    const { h } = worlds.get(mode)!;
    const r = await syncPerson(h.ctx, personId);
    expect(r.failed).toEqual([]);
    const mine = outlook(h, mailbox);
    expect(mine.length, mode).toBe(h.institution.timetableOf(personId, '26h').length);
    const { text, seen } = await feed(mode, personId);
    expect(view(seen), mode).toEqual(mine);
    if (mode === 'weekly') expect(text).toMatch(/^RRULE:FREQ=WEEKLY;/m);
    else expect(text).not.toMatch(/^RRULE:/m);
  }
}

describe('the ICS feed equals the mailbox', () => {
  const student = () => {
    const h = worlds.get('off')!.h;
    return h.institution
      .students()
      .find((s) => s.epost && h.institution.timetableOf(s.personlopenummer, '26h').length > 40)!;
  };

  it('for a student and a lecturer, in both series modes', async () => {
    const s = student();
    await compare(s.personlopenummer, s.epost!.toLowerCase());
    const lecturer = worlds
      .get('off')!
      .h.institution.lecturers()
      .find((l) => l.epost)!;
    await compare(lecturer.personlopenummer, lecturer.epost!.toLowerCase());
  });

  it('after TP moves, cancels, re-rooms, retitles and deletes single weeks', async () => {
    const s = student();
    const inst = worlds.get('off')!.h.institution;
    const reg = inst.registrationsOfPerson(s.personlopenummer, '26h')[0]!;
    const course: CourseRef = { courseId: reg.emne.kode, version: reg.emne.versjon, semester: '26h' };
    const group = (inst.courseEvents(course) ?? [])
      .filter((e) => e.actid === reg.aktiviteter[0])
      .sort((x, y) => x.weeknr - y.weeknr);
    expect(group.length).toBeGreaterThan(8);
    const room = inst.rooms().find((r) => r.id !== group[5]!.room[0]?.id)!;
    for (const mode of modes) {
      const { h } = worlds.get(mode)!;
      const i = h.institution;
      const moved = i.event(course, group[3]!.eventid)!;
      const shift = (t: string) => parseTpTime(t)!.plus({ hours: 2 }).toISO()!;
      i.moveEvent(course, moved.eventid, shift(moved.dtstart), shift(moved.dtend));
      i.cancelEvent(course, group[4]!.eventid);
      i.setRoom(course, group[5]!.eventid, room.id);
      i.deleteEvent(course, group[7]!.eventid);
      i.setSummary(course, group[group.length - 1]!.eventid, 'Repetisjon');
      await refreshCourse(h.ctx.db, h.ctx.tp, course);
    }
    await compare(s.personlopenummer, s.epost!.toLowerCase());
    const { seen, text } = await feed('weekly', s.personlopenummer);
    // The changed weeks inside a series are overrides of its master, not events of their own.
    expect(text).toMatch(/^RECURRENCE-ID;TZID=Europe\/Oslo:\d{8}T\d{6}$/m);
    expect(seen.filter((o) => o.cancelled).length).toBeGreaterThan(0);
    expect(seen.some((o) => o.location.includes(room.roomname))).toBe(true);
  });
});
