import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../src/desired/eventKey';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import type { CourseRef } from '../../src/domain/types';
import { createAmqpFixture, eventually, type AmqpFixture } from '../intake/amqpFixture';
import { affectedByCourse, fsPersonMessage, tpCourseMessage } from '../planner/plannerFixture';
import { createTestDatabase } from '../../testkit/support/db';
import { ADMIN_TOKEN, startHarness, type Harness } from '../../testkit/support/harness';
import { amqpEnv, CLI, startKadaRun, type KadaProcess } from './pipelineFixture';

/**
 * `kada run` as it runs in production: the built CLI in child processes, the real broker and
 * database, the TP/FS and Microsoft emulators. Notifications are published to the broker; the
 * result is checked in the emulated mailboxes against the institution's own timetable.
 */

const run = promisify(execFile);
const SEMESTER = '26h';
let h: Harness;
let amqpFx: AmqpFixture;
const started: KadaProcess[] = [];

beforeAll(async () => {
  amqpFx = await createAmqpFixture('kadarun');
  h = await startHarness({ seed: 5, students: 40, noContext: true, env: { ...amqpEnv(amqpFx), LOG_LEVEL: 'warn' } });
});
afterAll(async () => {
  for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  await h?.close();
  await amqpFx?.close();
});

async function kadaRun(extra: Record<string, string> = {}): Promise<KadaProcess> {
  const p = await startKadaRun(h.env, extra);
  started.push(p);
  return p;
}

const db = () => h.db.dataSource;
const publish = (m: { routingKey: string; body: object }) =>
  amqpFx.publish(amqpFx.exchangeFor(m.routingKey), m.routingKey, m.body);

/** The keys of the kada events in a mailbox (with duplicates, if there are any). */
function kadaKeys(mailbox: string): string[] {
  return h.microsoft.graph
    .events(mailbox)
    .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio')
    .map((e) => e.extendedProperties[KEY_PROP]!)
    .sort();
}

/** What the person's calendar must hold: the oracle's timetable, as event keys. */
function expectedKeys(personId: string): string[] {
  return h.institution
    .timetableOf(personId, SEMESTER)
    .map((t) => eventKey(t.course, t.eventid))
    .sort();
}

const mailboxOf = (personId: string) => h.institution.person(personId)?.epost ?? null;

async function idle(): Promise<boolean> {
  const [r] = await db().query(
    `SELECT (SELECT count(*) FROM inbox WHERE state = 'pending')::int AS inbox,
            (SELECT count(*) FROM jobs WHERE state IN ('queued', 'running'))::int AS jobs`,
  );
  return r.inbox === 0 && r.jobs === 0;
}

/** Every affected person with a mailbox has exactly their timetable: nothing lost, nothing twice. */
function expectCalendarsMatch(personIds: string[]) {
  let checked = 0;
  for (const personId of personIds) {
    const mailbox = mailboxOf(personId);
    if (!mailbox) continue;
    expect(kadaKeys(mailbox), `calendar of ${personId}`).toEqual(expectedKeys(personId));
    checked++;
  }
  expect(checked).toBeGreaterThan(5);
}

describe('kada run and kada enqueue-course (built CLI)', () => {
  it('refuses to run against a database that is not migrated', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const p = await kadaRun({ DATABASE_URL: fresh.url });
      expect(await p.exited).toBe(1);
      expect(p.output()).toMatch(/\[DB_NOT_MIGRATED\] the database is not migrated .*run `kada migrate` first/);
    } finally {
      await fresh.drop();
    }
  });

  it('enqueue-course puts a TP change in the inbox, and rejects a bad semester with exit 2', async () => {
    const bad = await run(process.execPath, [CLI, 'enqueue-course', 'IN1000', '2026H'], {
      env: { ...process.env, ...h.env },
    }).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a semester code: "2026H"');
    const { stdout } = await run(process.execPath, [CLI, 'enqueue-course', 'IN1000,1', '26H', '--json'], {
      env: { ...process.env, ...h.env },
    });
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({
      notificationId: expect.stringMatching(/^manual:[0-9a-f-]{36}$/),
      course: { courseId: 'IN1000', version: '1', semester: '26h' },
    });
    const rows = await db().query(
      `SELECT format, state, action, course_id, semester FROM inbox WHERE notification_id = $1`,
      [out.notificationId],
    );
    expect(rows).toEqual([{ format: 'tp', state: 'pending', action: 'course', course_id: 'IN1000', semester: '26h' }]);
    // Leave nothing for the next tests' processes to trip over.
    await db().query(`DELETE FROM inbox`);
  });

  it('enqueue-course - queues a whole list from standard input, or nothing when a line is bad', async () => {
    const withStdin = (args: string[], input: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [CLI, ...args],
          { env: { ...process.env, ...h.env } },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        child.stdin!.end(input);
      });
    const bad = await withStdin(['enqueue-course', '-', '26h'], 'IN1000\nIN 1010\n# comment\nMAT1100,1,2\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('line 2: not a course: "IN 1010"');
    expect(bad.stderr).toContain('line 4: not a course: "MAT1100,1,2"');
    expect(await db().query(`SELECT 1 FROM inbox`)).toEqual([]);

    const ok = await withStdin(
      ['enqueue-course', '-', '26h', '--json'],
      'IN1000\n\nMAT1100,2  # second version\nIN1000,1\n',
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).map((q: { course: CourseRef }) => `${q.course.courseId},${q.course.version}`)).toEqual(
      ['IN1000,1', 'MAT1100,2'],
    );
    const rows = await db().query(`SELECT course_id, semester FROM inbox ORDER BY course_id`);
    expect(rows).toEqual([
      { course_id: 'IN1000', semester: '26h' },
      { course_id: 'MAT1100', semester: '26h' },
    ]);
    await db().query(`DELETE FROM inbox`);
  });

  it('an FS notification puts the timetable in the mailbox; a TP change moves the event; SIGTERM exits 0', async () => {
    const p = await kadaRun({ KADA_WORKERS: '4' });
    await p.waitReady();
    const student = h.institution
      .students()
      .find((s) => s.epost && h.institution.timetableOf(s.personlopenummer, SEMESTER).length > 0)!;
    await publish(fsPersonMessage(student.personlopenummer));
    await eventually(() => kadaKeys(student.epost!).length === expectedKeys(student.personlopenummer).length, {
      what: 'the timetable in the mailbox',
      timeoutMs: 30_000,
    });
    expect(kadaKeys(student.epost!)).toEqual(expectedKeys(student.personlopenummer));

    // TP moves one of the student's events by a week and says so on the broker.
    const { course, eventid } = h.institution.timetableOf(student.personlopenummer, SEMESTER)[0]!;
    const before = h.institution.event(course, eventid)!;
    const newStart = DateTime.fromISO(before.dtstart, { setZone: true }).plus({ weeks: 1 });
    const newEnd = DateTime.fromISO(before.dtend, { setZone: true }).plus({ weeks: 1 });
    h.institution.moveEvent(course, eventid, newStart.toISO()!, newEnd.toISO()!);
    await publish(tpCourseMessage(course));
    const key = eventKey(course, eventid);
    await eventually(
      () =>
        h.microsoft.graph
          .events(student.epost!)
          .find((e) => e.extendedProperties[KEY_PROP] === key && Date.parse(e.startUtc) === newStart.toMillis()),
      { what: 'the moved event in Graph', timeoutMs: 30_000 },
    );

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).not.toMatch(/"level":"(error|fatal)"/);
  });

  it('two processes share the work, never run one person twice at once, and converge', async () => {
    h.microsoft.graph.setLatency(5, 5);
    const course: CourseRef = h.institution.courses(SEMESTER)[0]!.ref;
    const affected = affectedByCourse(h.institution, course);
    // One worker each: two jobs running at the same time must be in different processes.
    const [a, b] = await Promise.all([kadaRun({ KADA_WORKERS: '1' }), kadaRun({ KADA_WORKERS: '1' })]);
    await Promise.all([a.waitReady(), b.waitReady()]);
    await eventually(idle, { what: 'work left by the previous test to finish', timeoutMs: 60_000 });
    const [{ since }] = await db().query(`SELECT now() AS since`);
    await publish(tpCourseMessage(course));
    // More notifications for the same people while their jobs run: queued again, never run beside themselves.
    for (const personId of affected.slice(0, 10)) await publish(fsPersonMessage(personId));
    await eventually(async () => (await db().query(`SELECT 1 FROM jobs WHERE created_at >= $1`, [since])).length > 0, {
      what: 'jobs',
    });
    for (const personId of affected.slice(0, 10)) await publish(fsPersonMessage(personId));
    await eventually(idle, { what: 'all work done', timeoutMs: 90_000 });

    const jobs: { person_id: string; started_at: Date; finished_at: Date; state: string }[] = await db().query(
      `SELECT person_id, started_at, finished_at, state FROM jobs WHERE created_at >= $1 AND started_at IS NOT NULL
         ORDER BY started_at`,
      [since],
    );
    expect(jobs.every((j) => j.state === 'done')).toBe(true);
    const overlaps = (x: (typeof jobs)[0], y: (typeof jobs)[0]) =>
      x.started_at < y.finished_at && y.started_at < x.finished_at;
    for (const [i, x] of jobs.entries()) {
      for (const y of jobs.slice(i + 1))
        if (x.person_id === y.person_id) expect(overlaps(x, y), `person ${x.person_id} ran twice at once`).toBe(false);
    }
    const parallel = jobs.some((x, i) => jobs.slice(i + 1).some((y) => overlaps(x, y)));
    expect(parallel, 'both processes took jobs').toBe(true);
    expectCalendarsMatch(affected);

    // Either process's /api/status counts both (process_stats); a graceful stop takes a process out.
    const status = await fetch(`${a.url}/api/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then(
      (r) => r.json(),
    );
    expect(status.graph).toMatchObject({ scope: 'all processes', processes: 2 });
    expect(status.graph.perProcess).toHaveLength(2);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    expect(await db().query(`SELECT process_id FROM process_stats`)).toEqual([]);
  });

  it('SIGKILL in the middle of the work loses nothing and duplicates nothing', async () => {
    h.microsoft.graph.setLatency(20, 10);
    const course: CourseRef = h.institution.courses(SEMESTER)[1]!.ref;
    const affected = affectedByCourse(h.institution, course);
    // A short lease, so the restarted process takes over the dead one's jobs within seconds.
    const first = await kadaRun({ KADA_WORKERS: '2', KADA_JOB_LEASE_MS: '3000' });
    await first.waitReady();
    await eventually(idle, { what: 'work left by the previous test to finish', timeoutMs: 60_000 });
    const [{ since }] = await db().query(`SELECT now() AS since`);
    await publish(tpCourseMessage(course));
    await eventually(
      async () => {
        const [r] = await db().query(
          `SELECT count(*) FILTER (WHERE state = 'done')::int AS done, count(*) FILTER (WHERE state = 'running')::int
             AS running FROM jobs
            WHERE created_at >= $1`,
          [since],
        );
        return r.done >= 1 && r.running >= 1;
      },
      { what: 'the work to be under way', timeoutMs: 60_000 },
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    // While kada is down a notification waits on the broker; the dead process's leases run out by themselves.
    const late = h.institution
      .students()
      .find((s) => s.epost && h.institution.timetableOf(s.personlopenummer, SEMESTER).length)!;
    const lateMessage = fsPersonMessage(late.personlopenummer);
    await publish(lateMessage);

    const second = await kadaRun({ KADA_WORKERS: '4', KADA_JOB_LEASE_MS: '3000' });
    await second.waitReady();
    await eventually(idle, { what: 'all work done after the restart', timeoutMs: 90_000 });
    expectCalendarsMatch([...affected, late.personlopenummer]);
    const recovered = await db().query(
      `SELECT 1 FROM jobs WHERE created_at >= $1 AND 'recovered after a crash' = ANY(reasons)`,
      [since],
    );
    expect(recovered.length, 'jobs of the killed process were taken over').toBeGreaterThan(0);
    const lateJobs = await db().query(`SELECT state FROM jobs WHERE $1 = ANY(reasons)`, [`fs:${lateMessage.body.jti}`]);
    expect(lateJobs.map((j: { state: string }) => j.state)).toContain('done');

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
