import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Institution } from '../../testkit/institution/institution';
import type { SourceEmulator } from '../../testkit/sources/sourceEmulator';
import type { PlannerOptions } from '../../src/planner/planner';
import { storeManualCourseChange } from '../../src/intake/inboxStore';
import { getCachedCourse, putCachedCourse } from '../../src/store/courses';
import { PRIORITY } from '../../src/jobs/types';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';
import { startSources } from '../sources/fixture';
import { affectedByCourse, emulatorPlanner, fsPersonMessage, jobRows, store, tpCourseMessage } from './plannerFixture';

const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };
const MAT1100 = { courseId: 'MAT1100', version: '1', semester: '26h' };

let db: TestDatabase;
let institution: Institution;
let emulator: SourceEmulator;

beforeAll(async () => {
  [db, { institution, emulator }] = await Promise.all([createTestDatabase(), startSources({ students: 120 })]);
});
afterAll(async () => {
  await emulator?.close();
  await db?.drop();
});
beforeEach(async () => {
  emulator.setFaults({});
  emulator.resetStats();
  await db.dataSource.query(`TRUNCATE inbox, jobs, errors, tp_courses, persons, synced_events`);
});

const planner = (overrides: Partial<PlannerOptions> = {}) => emulatorPlanner(db.dataSource, emulator, overrides);

const inboxStates = async () =>
  (await db.dataSource.query(`SELECT state, count(*)::int AS n FROM inbox GROUP BY state ORDER BY state`)) as {
    state: string;
    n: number;
  }[];

describe('Planner: person notifications', () => {
  it('turns a person notification into one queued job and marks the row processed', async () => {
    const jti = await store(db.dataSource, fsPersonMessage('56154'));
    let woken = 0;
    const r = await planner({ onEnqueued: () => woken++ }).planner.tick();
    expect(r).toMatchObject({ persons: 1, courses: 0, nextDueInMs: null });
    expect(await jobRows(db.dataSource)).toEqual([
      { person_id: '56154', state: 'queued', priority: PRIORITY.fill, reasons: [`fs:${jti}`] },
    ]);
    expect(await inboxStates()).toEqual([{ state: 'processed', n: 1 }]);
    expect(woken).toBe(1);
  });

  it('coalesces several notifications for one person into one job carrying their reasons', async () => {
    const a = await store(db.dataSource, fsPersonMessage('700'));
    const b = await store(db.dataSource, fsPersonMessage('700'));
    await store(db.dataSource, fsPersonMessage('701'));
    const { planner: p } = planner();
    await p.tick();
    const jobs = await jobRows(db.dataSource);
    expect(jobs.map((j) => j.person_id)).toEqual(['700', '701']);
    expect([`fs:${a}`, `fs:${b}`]).toContain(jobs[0]!.reasons[0]);
    expect(await inboxStates()).toEqual([{ state: 'processed', n: 3 }]);
  });

  it('a second pass finds nothing to do (each row is planned once)', async () => {
    await store(db.dataSource, fsPersonMessage('56154'));
    const { planner: p } = planner();
    await p.tick();
    expect(await p.tick()).toMatchObject({ persons: 0, courses: 0 });
    expect(await jobRows(db.dataSource)).toHaveLength(1);
  });
});

describe('Planner: course notifications', () => {
  it('turns 200 notifications for one course into one TP read and one job per affected person', async () => {
    for (let i = 0; i < 200; i++) await store(db.dataSource, tpCourseMessage(IN1000));
    const { planner: p, metrics } = planner();
    const r = await p.tick();
    expect(r.courses).toBe(1);
    expect(emulator.courseReads(IN1000)).toBe(1);
    const jobs = await jobRows(db.dataSource);
    const expected = affectedByCourse(institution, IN1000);
    expect(expected.length).toBeGreaterThan(20);
    expect(jobs.map((j) => j.person_id)).toEqual(expected);
    expect(
      jobs.every((j) => j.state === 'queued' && j.reasons.length === 1 && /^tp:.+ \(\+199\)$/.test(j.reasons[0]!)),
    ).toBe(true);
    expect(await inboxStates()).toEqual([{ state: 'processed', n: 200 }]);
    // The course is stored, so the jobs use this copy instead of reading TP again.
    const [cached] = await db.dataSource.query(
      `SELECT found, staff_usernames FROM tp_courses WHERE course_id = 'IN1000'`,
    );
    expect(cached.found).toBe(true);
    expect((await metrics.registry.getSingleMetric('kada_inbox_lag_seconds')!.get()).values[0]!.value).toBe(0);
  });

  it('waits for the debounce before reading TP, so a burst can gather', async () => {
    await store(db.dataSource, tpCourseMessage(IN1000));
    const { planner: p } = planner({ debounceMs: 60_000 });
    const r = await p.tick();
    expect(r.courses).toBe(0);
    expect(r.nextDueInMs).toBeGreaterThan(50_000);
    expect(emulator.courseReads(IN1000)).toBe(0);
    expect(await inboxStates()).toEqual([{ state: 'pending', n: 1 }]);
  });

  it('also queues persons with kada events of the course, and lecturers named only in the old timetable', async () => {
    await db.dataSource.query(
      `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
         course_version)
       VALUES ('999001', 'k1', 'gone@uio.no', 'g1', 'h', '26h', 'IN1000', '1')`,
    );
    await db.dataSource.query(`INSERT INTO persons (person_id, username) VALUES ('999002', 'oldlect')`);
    // The stored copy names `oldlect` and `ghost`; the new timetable from TP names neither.
    await putCachedCourse(db.dataSource, {
      course: IN1000,
      courseName: 'x',
      rejected: [],
      events: [{ staffs: [{ id: 'OldLect' }, { id: 'ghost' }] }] as never,
    });
    await store(db.dataSource, tpCourseMessage(IN1000));
    const { planner: p, metrics } = planner();
    await p.tick();
    const persons = (await jobRows(db.dataSource)).map((j) => j.person_id);
    expect(persons).toEqual(expect.arrayContaining(['999001', '999002']));
    expect(persons).toEqual([...new Set([...affectedByCourse(institution, IN1000), '999001', '999002'])].sort());
    const errors = await db.dataSource.query(`SELECT kind, code, course, message FROM errors`);
    expect(errors).toEqual([
      { kind: 'ignored', code: 'TP_STAFF_UNKNOWN', course: '26h:IN1000,1', message: expect.stringContaining('ghost') },
    ]);
    expect((await metrics.registry.getSingleMetric('kada_data_errors_total')!.get()).values).toEqual([
      expect.objectContaining({ labels: { code: 'TP_STAFF_UNKNOWN' }, value: 1 }),
    ]);
  });

  it('queues in the order of work: near changes, other changes, and fills for persons not in step', async () => {
    const affected = affectedByCourse(institution, IN1000);
    const inStep = affected.slice(0, 5);
    await db.dataSource.query(
      `INSERT INTO persons (person_id, status, last_sync_at) SELECT p, 'active', now() FROM unnest($1::text[]) p`,
      [inStep],
    );
    const priorities = async () => {
      const rows = await jobRows(db.dataSource);
      await db.dataSource.query('DELETE FROM jobs');
      return new Set(rows.map((j) => `${inStep.includes(j.person_id) ? 'in step' : 'new'}:${j.priority}`));
    };
    const { planner: p } = planner();
    // `kada enqueue-course` fills whoever it reaches
    await storeManualCourseChange(db.dataSource, 'manual-1', IN1000);
    await p.tick();
    expect(await priorities()).toEqual(new Set([`in step:${PRIORITY.fill}`, `new:${PRIORITY.fill}`]));
    // TP says nothing changed in the next 14 days (the stored copy is TP's answer)
    await store(db.dataSource, tpCourseMessage(IN1000));
    await p.tick();
    expect(await priorities()).toEqual(new Set([`in step:${PRIORITY.notification}`, `new:${PRIORITY.fill}`]));
    // a lecture the day after tomorrow was in the stored copy and is gone from TP
    const cached = (await getCachedCourse(db.dataSource, IN1000))!.course;
    const soon = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 19);
    const moved = { ...cached.events[0]!, eventid: 'moved-away', dtstart: `${soon}Z`, dtend: `${soon}Z` };
    await putCachedCourse(db.dataSource, { ...cached, events: [...cached.events, moved] });
    await store(db.dataSource, tpCourseMessage(IN1000));
    await p.tick();
    expect(await priorities()).toEqual(new Set([`in step:${PRIORITY.nearChange}`, `new:${PRIORITY.fill}`]));
  });

  it('plans each course of a mixed burst once', async () => {
    for (let i = 0; i < 5; i++) {
      await store(db.dataSource, tpCourseMessage(IN1000));
      await store(db.dataSource, tpCourseMessage(MAT1100));
      await store(db.dataSource, fsPersonMessage(String(50_000 + i)));
    }
    const r = await planner().planner.tick();
    expect(r).toMatchObject({ persons: 5, courses: 2 });
    expect(emulator.courseReads(IN1000)).toBe(1);
    expect(emulator.courseReads(MAT1100)).toBe(1);
    const persons = (await jobRows(db.dataSource)).map((j) => j.person_id);
    expect(new Set(persons).size).toBe(persons.length);
    expect(await inboxStates()).toEqual([{ state: 'processed', n: 15 }]);
  });

  it('ignores courses of semesters kada does not sync', async () => {
    await store(db.dataSource, tpCourseMessage({ ...IN1000, semester: '24v' }));
    const { planner: p, metrics } = planner();
    await p.tick();
    expect(emulator.stats().total).toBe(0);
    expect(await jobRows(db.dataSource)).toEqual([]);
    const [row] = await db.dataSource.query(`SELECT state, error FROM inbox`);
    expect(row).toEqual({ state: 'ignored', error: 'semester 24v is not synced' });
    expect((await metrics.registry.getSingleMetric('kada_notifications_ignored_total')!.get()).values[0]).toMatchObject(
      {
        labels: { reason: 'semester_not_synced' },
        value: 1,
      },
    );
  });

  it('keeps rows pending with backoff while TP is down, then fails them (errors row) after N attempts', async () => {
    emulator.setFaults({ tp: { status: 503 } });
    for (let i = 0; i < 3; i++) await store(db.dataSource, tpCourseMessage(IN1000));
    const { planner: p } = planner({ maxAttempts: 2, retryDelayMs: () => 0 });
    await p.tick();
    let rows = await db.dataSource.query(`SELECT state, attempts, error FROM inbox`);
    expect(rows).toHaveLength(3);
    for (const r of rows)
      expect(r).toMatchObject({
        state: 'pending',
        attempts: 1,
        error: expect.stringMatching(/^\[SOURCE_UNAVAILABLE\] could not plan the TP change of 26h:IN1000,1/),
      });
    expect(await jobRows(db.dataSource)).toEqual([]);
    // Nothing of the failed attempt was kept: the stored course was rolled back with it.
    expect(await db.dataSource.query(`SELECT 1 FROM tp_courses`)).toEqual([]);

    await p.tick();
    rows = await db.dataSource.query(`SELECT state, attempts FROM inbox`);
    for (const r of rows) expect(r).toEqual({ state: 'failed', attempts: 2 });
    const errors = await db.dataSource.query(`SELECT kind, code, course, details FROM errors`);
    expect(errors).toEqual([
      {
        kind: 'source',
        code: 'SOURCE_UNAVAILABLE',
        course: '26h:IN1000,1',
        details: expect.objectContaining({ failed: 3 }),
      },
    ]);
  });

  it('recovers when TP comes back before the attempts run out', async () => {
    emulator.setFaults({ tp: { status: 503, count: 4 } }); // one client call's worth of retries
    await store(db.dataSource, tpCourseMessage(IN1000));
    const { planner: p } = planner({ retryDelayMs: () => 0 });
    await p.tick();
    expect(await inboxStates()).toEqual([{ state: 'pending', n: 1 }]);
    await p.tick();
    expect(await inboxStates()).toEqual([{ state: 'processed', n: 1 }]);
    expect((await jobRows(db.dataSource)).map((j) => j.person_id)).toEqual(affectedByCourse(institution, IN1000));
  });
});

describe('Planner: several processes', () => {
  it('two planners working the same inbox at once plan every row exactly once', async () => {
    const personJtis: string[] = [];
    for (let i = 0; i < 40; i++) {
      await store(db.dataSource, tpCourseMessage(i % 2 ? IN1000 : MAT1100));
      personJtis.push(await store(db.dataSource, fsPersonMessage(String(60_000 + i))));
    }
    const a = planner({ batchSize: 7 }).planner;
    const b = planner({ batchSize: 7 }).planner;
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect(ra.persons + rb.persons).toBe(40);
    expect(ra.courses + rb.courses).toBe(2);
    expect(emulator.courseReads(IN1000)).toBe(1);
    expect(emulator.courseReads(MAT1100)).toBe(1);
    const jobs = await jobRows(db.dataSource);
    // A row planned twice would have left its reason twice on the (coalesced) job.
    const reasons = jobs.flatMap((j) => j.reasons).filter((r) => r.startsWith('fs:'));
    expect(reasons.sort()).toEqual(personJtis.map((j) => `fs:${j}`).sort());
    expect(await inboxStates()).toEqual([{ state: 'processed', n: 80 }]);
  });

  it('runs as a loop that a stored notification wakes, and stops cleanly', async () => {
    const { planner: p } = planner({ pollMs: 60_000 });
    p.start();
    await store(db.dataSource, fsPersonMessage('424242'));
    p.wake();
    const deadline = Date.now() + 10_000;
    while ((await jobRows(db.dataSource)).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await p.stop();
    expect((await jobRows(db.dataSource)).map((j) => j.person_id)).toEqual(['424242']);
  });
});
