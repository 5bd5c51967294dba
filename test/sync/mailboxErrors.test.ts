import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personJobHandler } from '../../src/app/jobHandler';
import { enqueuePerson } from '../../src/jobs/enqueue';
import { runJobNow } from '../../src/jobs/runJobNow';
import { recentErrors } from '../../src/store/errors';
import { saveMailboxSetup } from '../../src/store/mailboxes';
import { getPerson } from '../../src/store/persons';
import { isTransient, SyncError } from '../../src/sync/errors';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/**
 * Errors about one mailbox (graph.md): a mailbox outside the tenant's application access policy, a
 * user without a usable mailbox. The person's sync fails at once with a plain reason on the person
 * and in the error log; everyone else in the same batches is written as usual.
 */
describe('per-mailbox Graph errors', () => {
  let h: Harness;
  let denied: { personlopenummer: string; epost: string };
  let others: { personlopenummer: string; epost: string }[];
  beforeAll(async () => {
    h = await startHarness({ seed: 14, students: 12 });
    const students = h.institution
      .students()
      .filter((s) => s.epost && h.institution.timetableOf(s.personlopenummer, '26h').length > 0)
      .map((s) => ({ personlopenummer: s.personlopenummer, epost: s.epost! }));
    denied = students[0]!;
    others = students.slice(1, 4);
    const allowed = new Set(others.map((s) => s.epost));
    h.microsoft.graph.setAccessPolicy((m) => allowed.has(m));
    // Set up before the policy changed: the first Graph requests for them are the event writes.
    await saveMailboxSetup(h.ctx.db, denied.epost, { calendarId: null, categoryEnsured: true, categoryDenied: false });
  });
  afterAll(async () => h?.close());

  it('fails the denied person with a plain reason while the others in the same batches sync', async () => {
    const runs = await Promise.allSettled([denied, ...others].map((s) => syncPerson(h.ctx, s.personlopenummer)));
    const first = runs[0]!;
    expect(first.status).toBe('rejected');
    const err = (first as PromiseRejectedResult).reason as SyncError;
    expect(err).toBeInstanceOf(SyncError);
    expect(err.code).toBe('MAILBOX_ACCESS_DENIED');
    expect(isTransient(err)).toBe(false);
    expect(err.message).not.toContain(denied.epost);
    for (const [i, s] of others.entries()) {
      expect(runs[i + 1]!.status).toBe('fulfilled');
      const want = h.institution.timetableOf(s.personlopenummer, '26h').length;
      expect(h.microsoft.graph.events(s.epost)).toHaveLength(want);
    }
    expect(h.microsoft.graph.events(denied.epost)).toHaveLength(0);
    // They shared batches with the denied person's writes.
    const log = h.microsoft.graph.requestLog().filter((r) => r.inBatch);
    expect(log.some((r) => r.mailbox === denied.epost && r.status === 403)).toBe(true);
  });

  it('a refused set-up read fails the person the same way', async () => {
    await saveMailboxSetup(h.ctx.db, denied.epost, { calendarId: null, categoryEnsured: false, categoryDenied: false });
    await expect(syncPerson(h.ctx, denied.personlopenummer)).rejects.toMatchObject({ code: 'MAILBOX_ACCESS_DENIED' });
  });

  /** Queues a job for the person and runs it, then the later-weeks job it left, if any (nearTermFirst.ts). */
  async function runPersonJobs(personId: string, handler: ReturnType<typeof personJobHandler>) {
    const jobs = [
      await runJobNow(h.ctx.db, await enqueuePerson(h.ctx.db, personId, { reason: 'test' }), { handler, isTransient }),
    ];
    for (;;) {
      const [next] = await h.ctx.db.query(`SELECT id FROM jobs WHERE person_id = $1 AND state = 'queued'`, [personId]);
      if (!next || jobs.length > 3) return jobs;
      jobs.push(await runJobNow(h.ctx.db, String(next.id), { handler, isTransient }));
    }
  }

  /** 403s the emulator has answered for one mailbox so far (the log spans the whole file). */
  const refusedFor = (mailbox: string) =>
    h.microsoft.graph.requestLog().filter((r) => r.mailbox === mailbox && r.status === 403).length;

  it('a job for that person fails after one attempt, recorded for the admin; the next one syncs', async () => {
    const handler = personJobHandler(h.ctx);
    const refusedBefore = refusedFor(denied.epost);
    const jobs = await runPersonJobs(denied.personlopenummer, handler);
    // Near-term first may leave the later weeks to a second job; the job that writes fails, at once.
    expect(jobs.map((j) => [j.state, j.attempts]).at(-1)).toEqual(['failed', 1]);
    expect(jobs.slice(0, -1).every((j) => j.state === 'done')).toBe(true);
    const person = await getPerson(h.ctx.db, denied.personlopenummer);
    expect(person?.lastError).toMatch(/^\[MAILBOX_ACCESS_DENIED\] .*application access policy/);
    const errors = await recentErrors(h.ctx.db, { personId: denied.personlopenummer });
    expect(errors.some((e) => e.message.includes('MAILBOX_ACCESS_DENIED'))).toBe(true);
    // 403s were not retried: one attempt per write.
    const tries = refusedFor(denied.epost) - refusedBefore;
    const creates = h.institution.timetableOf(denied.personlopenummer, '26h').length;
    expect(tries).toBeGreaterThan(0);
    expect(tries).toBeLessThanOrEqual(2 * creates + 4);

    // The tenant lets kada in: the next notification's job fills the mailbox.
    h.microsoft.graph.setAccessPolicy(null);
    const again = await runPersonJobs(denied.personlopenummer, handler);
    expect(again.map((j) => j.state)).not.toContain('failed');
    expect(h.microsoft.graph.events(denied.epost)).toHaveLength(creates);
    expect((await getPerson(h.ctx.db, denied.personlopenummer))?.lastError).toBeNull();
  });

  it('a user without a usable mailbox, or gone from the directory, fails with its own reason', async () => {
    const [a, b] = others as [typeof denied, typeof denied];
    h.microsoft.graph.addMailbox(a.epost, { state: 'noMailbox' });
    h.microsoft.graph.addMailbox(b.epost, { state: 'invalidUser' });
    // Ensure writes happen: forget nothing, just force a reconcile (it reads the mailbox first).
    await expect(syncPerson(h.ctx, a.personlopenummer, { mode: 'reconcile' })).rejects.toMatchObject({
      code: 'MAILBOX_NOT_ENABLED',
      transient: false,
    });
    await expect(syncPerson(h.ctx, b.personlopenummer, { mode: 'reconcile' })).rejects.toMatchObject({
      code: 'MAILBOX_UNKNOWN_USER',
    });
    // The state store still remembers what kada wrote there: nothing was taken for deleted.
    const rows = await h.ctx.db.query(`SELECT count(*)::int AS n FROM synced_events WHERE person_id = $1`, [
      a.personlopenummer,
    ]);
    expect(rows[0].n).toBeGreaterThan(0);
  });
});
