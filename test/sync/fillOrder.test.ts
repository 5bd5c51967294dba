import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personJobHandler } from '../../src/app/jobHandler';
import { enqueuePersons } from '../../src/jobs/enqueue';
import { jobCounts, recentJobs } from '../../src/jobs/jobStatus';
import { PRIORITY } from '../../src/jobs/types';
import { WorkerPool } from '../../src/jobs/workerPool';
import { silentLogger } from '../../src/log/logger';
import { isTransient } from '../../src/sync/errors';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/**
 * Near-term first across persons (service.md "Order of work"): in a fill, every person's next 14
 * days reach Graph before anyone's later weeks, read from the emulator's request log, and the later
 * weeks still follow, so every calendar ends complete.
 */
const DAY_OF_TERM = new Date('2026-09-14T04:00:00Z'); // Monday of week 38, the fifth week of teaching
const HORIZON = DAY_OF_TERM.getTime() + 14 * 86_400_000;

describe.each([
  ['one event per occurrence', 'off'],
  ['series masters (SERIES_MODE=weekly)', 'weekly'],
])('a fill, near-term first: %s', (_, mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 16, students: 12, microsoft: { latencyMs: 3 }, env: { SERIES_MODE: mode } });
  });
  afterAll(async () => h?.close());

  it("writes every person's next 14 days before anyone's later weeks, then the later weeks", async () => {
    const students = [0, 1, 2, 3, 4, 5].map((i) => h.institution.aStudent(i));
    const ctx = { ...h.ctx, now: () => DAY_OF_TERM };
    await enqueuePersons(
      h.ctx.db,
      students.map((s) => s.personlopenummer),
      { reason: 'enqueue-course', priority: PRIORITY.fill },
    );
    const pool = new WorkerPool({
      db: h.ctx.db,
      concurrency: 3,
      handler: personJobHandler(ctx),
      isTransient,
      logger: silentLogger,
      pollMs: 50,
    });
    h.microsoft.graph.resetStats();
    pool.start();
    await expect
      .poll(
        async () => {
          const c = await jobCounts(h.ctx.db);
          return c.queued + c.running;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe(0);
    await pool.stop();

    const creates = h.microsoft.graph
      .requestLog()
      .filter((r) => r.method === 'POST' && /\/events$/.test(r.path) && r.status === 201 && r.eventId && r.mailbox)
      .map((r) => {
        const ev = h.microsoft.graph.event(r.mailbox!, r.eventId!)!;
        // a series master covers its weeks at once: near when any of them is
        const until = (ev.graph.recurrence as { range?: { endDate?: string } } | undefined)?.range?.endDate;
        const end = until ? Date.parse(`${until}T23:59:59Z`) : Date.parse(ev.endUtc);
        return { mailbox: r.mailbox!, near: end >= DAY_OF_TERM.getTime() && Date.parse(ev.startUtc) < HORIZON };
      });
    const near = creates.flatMap((c, i) => (c.near ? [i] : []));
    const later = creates.flatMap((c, i) => (c.near ? [] : [i]));
    expect(new Set(near.map((i) => creates[i]!.mailbox)).size).toBe(students.length);
    expect(later.length).toBeGreaterThan(mode === 'off' ? near.length : 0);
    expect(Math.max(...near)).toBeLessThan(Math.min(...later));

    // each person: a first pass that left its later weeks, then a job of the fill rest that wrote them
    for (const s of students) {
      const jobs = (await recentJobs(h.ctx.db, { personId: s.personlopenummer })).reverse();
      expect(jobs.map((j) => [j.state, j.priority])).toEqual([
        ['done', PRIORITY.fill],
        ['done', PRIORITY.fillRest],
      ]);
      expect((jobs[0]!.result as { deferred: number }).deferred).toBeGreaterThan(0);
      const check = await syncPerson(ctx, s.personlopenummer, { dryRun: true });
      expect(check.planned).toEqual({ creates: 0, updates: 0, deletes: 0 });
    }
  });
});
