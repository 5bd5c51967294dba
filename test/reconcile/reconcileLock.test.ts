import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAdvisoryLock } from '../../src/db/advisoryLock';
import { ReconcileRunningError, reconcileAll } from '../../src/reconcile/reconcileAll';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';
import { CLI } from '../../testkit/support/kadaProcess';

const run = promisify(execFile);

/** One `reconcile --all` at a time: a second exits 1 at once with a clear message, or waits with --wait. */
describe('reconcile --all lock', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 31, students: 8 });
    for (const s of h.institution.students().slice(0, 4)) await syncPerson(h.ctx, s.personlopenummer);
  });
  afterAll(async () => h?.close());

  /** Holds the reconcile lock (as a running reconcile --all would) until `release` is called. */
  function holdLock() {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let acquired!: () => void;
    const ready = new Promise<void>((r) => (acquired = r));
    const done = withAdvisoryLock(h.ctx.dataSource, 'reconcileAll', { wait: false, application: 'test' }, () => {
      acquired();
      return held;
    });
    return { ready, release, done };
  }

  it('a second run in the same installation fails at once with ReconcileRunningError', async () => {
    const runs = await Promise.allSettled([
      reconcileAll(h.ctx, { concurrency: 2, discover: false }),
      reconcileAll(h.ctx, { concurrency: 2, discover: false }),
    ]);
    expect(runs.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = runs.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ReconcileRunningError);
    // the lock is free again afterwards
    expect(await reconcileAll(h.ctx, { concurrency: 2, discover: false })).toMatchObject({ finished: true });
  });

  it('`kada reconcile --all` exits 1 with a clear message while another run holds the lock', async () => {
    const lock = holdLock();
    await lock.ready;
    try {
      const started = Date.now();
      const err = await run(process.execPath, [CLI, 'reconcile', '--all'], { env: { ...process.env, ...h.env } }).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(err?.code).toBe(1);
      expect(err?.stderr).toMatch(/\[RECONCILE_RUNNING\] another reconcile --all is running since .*--wait/);
      expect(Date.now() - started).toBeLessThan(15_000);
      const [{ n }] = await h.ctx.db.query(`SELECT count(*)::int AS n FROM reconcile_runs WHERE finished_at IS NULL`);
      expect(n).toBe(0);
    } finally {
      lock.release();
      await lock.done;
    }
  });

  it('`kada reconcile --all --wait` waits for the lock, then runs', async () => {
    const lock = holdLock();
    await lock.ready;
    let exited = false;
    const cli = run(process.execPath, [CLI, 'reconcile', '--all', '--wait', '--no-discover', '--json'], {
      env: { ...process.env, ...h.env },
    }).finally(() => (exited = true));
    await new Promise((r) => setTimeout(r, 4_000));
    expect(exited).toBe(false);
    lock.release();
    await lock.done;
    const out = JSON.parse((await cli).stdout);
    expect(out).toMatchObject({ finished: true, failed: [] });
  });
});
