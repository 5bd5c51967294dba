import { describe, expect, it } from 'vitest';
import { eventKey } from '../../src/desired/eventKey';
import { KEY_PROP } from '../../src/domain/markers';
import { courseKey, type CourseRef } from '../../src/domain/types';
import type { TpWireEvent } from '../../testkit/institution/institution';
import { expectedSubject } from '../chaos/calendarCheck';
import { store, tpCourseMessage } from '../planner/plannerFixture';
import { corpusSize, loadTpCases, Pipeline, useBadSourceWorld, type TpCase } from './badSources';

/**
 * Every case of test/fixtures/bad/tp through the real path: the TP emulator serves the bad
 * timetable, a TP notification goes through the planner (one TP read, the stored course, data
 * errors), and the affected student's job through syncPerson to Graph. The documented outcome is
 * asserted (README in the fixture folder), and that what the calendar already had survives an
 * unusable answer.
 */

const COURSE: CourseRef = { courseId: 'BAD1000', version: '1', semester: '26h' };
const KEY = courseKey(COURSE);
const CONTROL = {
  eventid: '26H-BAD1000-9-1-1-1+36+1',
  id: '26H-BAD1000-9-1-1-1',
  actid: '1',
  courseid: 'BAD1000',
  courseversion: '1',
  semesterid: '26h',
  dtstart: '2026-08-31T08:15:00+02',
  dtend: '2026-08-31T10:00:00+02',
  'teaching-title': 'Forelesning',
  summary: 'Kontroll',
  'teaching-method': 'FOR',
  'teaching-method-name': 'Forelesning',
  status_plenary: true,
  status: 'active',
  staffs: [],
  room: [],
  weeknr: 36,
  weekday: 1,
  tags: [],
};

const world = useBadSourceWorld({ seed: 21, students: 20 });
const db = () => world().db();
const kadaEvents = (mailbox: string) => world().kadaEvents(mailbox);
const maxErrorId = async () =>
  Number((await db().query(`SELECT coalesce(max(id), 0)::bigint AS id FROM errors`))[0].id);

/** A new student registered (group 2-1) for `course` only, so their calendar shows exactly that course. */
function newStudent(course: CourseRef, label: string) {
  const { h, overrides: o } = world();
  const p = h.institution.addPerson({ fornavn: 'Tp', etternavn: label.replace(/[^a-z]/gi, '').slice(0, 20) || 'Case' });
  const reg = {
    personlopenummer: p.personlopenummer,
    emne: { kode: course.courseId, versjon: course.version },
    semester: { ar: 2026, termin: 'HØST' },
    aktiviteter: ['2-1'],
  };
  o.registrations.set(p.personlopenummer, [reg]);
  o.courseRegistrations.set(courseKey(course), [reg]);
  return p;
}

async function inboxRow(jti: string) {
  const [r] = await db().query(`SELECT state, attempts, error FROM inbox WHERE notification_id = $1`, [jti]);
  return r as { state: string; attempts: number; error: string | null };
}

function runChecks(c: TpCase, mailbox: string) {
  const events = kadaEvents(mailbox);
  for (const check of c.expect.checks ?? []) {
    const accepted = c.expect.accepted!.map(
      (id) => events.find((e) => e.extendedProperties[KEY_PROP] === eventKey(COURSE, id))!,
    );
    for (const e of accepted) {
      const html = e.body.content;
      if (check === 'bodyEscaped') {
        expect(html).not.toMatch(/<script|<img|<iframe|onerror=/i);
        expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;');
        expect(html).toContain('&lt;iframe src=&quot;https://evil.example&quot;&gt;');
        // The subject is plain text: it shows the planner's text as typed, and is not HTML.
        const raw = c.events[0] as TpWireEvent;
        expect(e.subject).toBe(expectedSubject({ ...raw, courseid: 'BAD1000' }));
      }
      if (check === 'onlyHttpLinks') {
        const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
        expect(hrefs.length).toBeGreaterThan(0);
        for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
        expect(html.replace(/\s/g, '').toLowerCase()).not.toMatch(/javascript|data:|hunter2/);
        expect(html).toContain('Store auditorium');
      }
      if (check === 'firstDuplicateKept') expect(e.subject).toBe('BAD1000 Forelesning – første');
    }
  }
}

describe('bad TP data through planner and syncPerson', () => {
  it('the bad-input corpus holds at least 50 cases (notifications, TP, FS)', () => {
    expect(corpusSize()).toBeGreaterThanOrEqual(50);
    expect(loadTpCases().length).toBeGreaterThanOrEqual(20);
  });

  for (const c of loadTpCases()) {
    it(`${c.name}: ${c.description}`, async () => {
      const { sources, overrides: o, pipe } = world();
      const student = newStudent(COURSE, c.name);
      const id = student.personlopenummer;
      const mailbox = student.epost!;

      // Before: a good timetable, synced (forced, so TP is read now, not a stored copy).
      o.courses.set(KEY, { name: 'Dårlige data', events: [CONTROL] });
      sources.setFaults({});
      expect((await pipe.runJob(id, { force: true })).state).toBe('done');
      const before = kadaEvents(mailbox);
      expect(before.map((e) => e.extendedProperties[KEY_PROP])).toEqual([eventKey(COURSE, CONTROL.eventid)]);

      // Then TP serves the bad data, and says the course changed.
      o.courses.set(KEY, { name: 'coursename' in c ? c.coursename : 'Dårlige data', events: [CONTROL, ...c.events] });
      sources.setFaults(c.faults ?? {});
      const errorsFrom = await maxErrorId();
      const message = tpCourseMessage(COURSE);
      await store(db(), message);
      await pipe.plan();
      await pipe.settle();
      const row = await inboxRow(message.body.jti);
      const newErrors: {
        code: string;
        kind: string;
        message: string;
        course: string;
        details: { eventid?: string | null } | null;
      }[] = await db().query(`SELECT kind, code, message, course, details FROM errors WHERE id > $1 ORDER BY id`, [
        errorsFrom,
      ]);

      if (c.expect.course === 'synced') {
        expect(row.state).toBe('processed');
        const rejections = newErrors.filter((e) => e.code === 'TP_EVENT_INVALID');
        expect(rejections.map((e) => e.course)).toEqual(rejections.map(() => KEY));
        expect(rejections).toHaveLength(c.expect.rejected?.length ?? 0);
        for (const [i, want] of (c.expect.rejected ?? []).entries()) {
          expect(rejections[i]!.details?.eventid ?? null).toBe(want.eventid);
          expect(rejections[i]!.message).toContain(want.reason);
        }
        expect((await pipe.lastJob(id)).state).toBe('done');
        const keys = kadaEvents(mailbox)
          .map((e) => e.extendedProperties[KEY_PROP])
          .sort();
        expect(keys).toEqual([CONTROL.eventid, ...(c.expect.accepted ?? [])].map((e) => eventKey(COURSE, e)).sort());
        runChecks(c, mailbox);
      } else {
        // The notification is retried, then failed with an errors row; TP's answer is never "no events".
        expect(row).toMatchObject({ state: 'failed', attempts: pipe.maxAttempts });
        expect(row.error).toContain(c.expect.code);
        expect(newErrors.filter((e) => e.kind === 'source').map((e) => [e.code, e.course])).toContainEqual([
          c.expect.code,
          KEY,
        ]);
        // A forced rebuild must read TP now: its job is retried, then failed with the error.
        const job = await pipe.runJob(id, { force: true });
        expect(job).toMatchObject({ state: 'failed', attempts: pipe.maxAttempts });
        expect(job.lastError).toContain(c.expect.code);
        // And the calendar keeps exactly what it had.
        expect(kadaEvents(mailbox)).toEqual(before);
      }
      sources.setFaults({});
    });
  }

  it('a huge course (20,000 occurrences, 100 groups) is read once, stored; a student gets exactly theirs', async () => {
    const { h, sources, overrides: o, pipe } = world();
    const big: CourseRef = { courseId: 'BIG1000', version: '1', semester: '26h' };
    const events = Array.from({ length: 20_000 }, (_, i) => {
      const actid = i % 100 === 0 ? '1' : `2-${i % 100}`;
      // 32 quarter-hour slots a day from 06:00 UTC: daytime, never in the night the clocks go back.
      const start = new Date(Date.UTC(2026, 7, 17, 6) + Math.floor(i / 32) * 86_400_000 + (i % 32) * 15 * 60_000);
      const end = new Date(start.getTime() + 45 * 60_000);
      const local = (d: Date) => `${d.toISOString().slice(0, 19)}+00`;
      return {
        ...CONTROL,
        eventid: `26H-BIG1000-${actid}-${i}`,
        id: `26H-BIG1000-${actid}`,
        actid,
        courseid: 'BIG1000',
        status_plenary: actid === '1',
        dtstart: local(start),
        dtend: local(end),
        summary: `Økt ${i}`,
      };
    });
    o.courses.set(courseKey(big), { name: 'Et enormt emne', events });
    const student = newStudent(big, 'enormous');
    const reads = sources.courseReads(big);
    await store(db(), tpCourseMessage(big));
    // A 14 MB answer: the planner gets a realistic timeout for it (the corpus' pipeline has a short one).
    await new Pipeline(h, { sources, timeoutMs: 60_000 }).plan();
    await pipe.settle(180_000);
    expect(sources.courseReads(big) - reads).toBe(1);
    const [stored] = await db().query(
      `SELECT jsonb_array_length(course->'events')::int AS n FROM tp_courses WHERE semester = $1 AND course_id = $2 AND
         course_version = $3`,
      [big.semester, big.courseId, big.version],
    );
    expect(stored.n).toBe(20_000);
    expect((await pipe.lastJob(student.personlopenummer)).state).toBe('done');
    const want = events.filter((e) => e.actid === '1' || e.actid === '2-1').map((e) => eventKey(big, e.eventid));
    expect(want).toHaveLength(400);
    expect(
      kadaEvents(student.epost!)
        .map((e) => e.extendedProperties[KEY_PROP])
        .sort(),
    ).toEqual(want.sort());
  }, 240_000);
});
