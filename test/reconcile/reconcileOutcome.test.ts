import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseGauges } from '../../src/observability/databaseGauges';
import { createMetrics } from '../../src/observability/metrics';
import { reconcileAll } from '../../src/reconcile/reconcileAll';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/**
 * What "the nightly reconcile succeeded" means for kada_reconcile_last_success_timestamp_seconds and the
 * KadaReconcileNotSuccessful alert: a run that walked everyone with at most 1% of the persons failed.
 */
describe('reconcile outcome', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 29, students: 8 });
    for (const s of h.institution.students().filter((x) => x.epost)) await syncPerson(h.ctx, s.personlopenummer);
  });
  afterAll(async () => h?.close());

  const lastSuccess = async () => {
    const metrics = createMetrics();
    await databaseGauges(h.ctx.db, metrics, { cacheMs: 0 }).refresh();
    return (await metrics.registry.getSingleMetric('kada_reconcile_last_success_timestamp_seconds')!.get()).values[0]!
      .value;
  };

  it('counts failed persons over a resumed run, and a run with more than 1% failed is no success', async () => {
    expect(await lastSuccess(), 'never reconciled').toBe(0);
    // Mailboxes that refuse kada fail their persons' jobs at once (src/graph/mailboxErrors.ts).
    const [{ ids }] = await h.ctx.db.query(
      `SELECT array_agg(person_id ORDER BY person_id) AS ids FROM persons
        WHERE status = 'active' AND mailbox IS NOT NULL`,
    );
    expect((ids as string[]).length).toBeGreaterThan(3);
    const denied = (ids as string[]).slice(0, 2).map((id) => h.institution.person(id)!.epost!);
    for (const mailbox of denied) h.microsoft.graph.addMailbox(mailbox, { state: 'accessDenied' });
    try {
      const first = await reconcileAll(h.ctx, { concurrency: 2, maxPersons: 1, discover: false });
      const rest = await reconcileAll(h.ctx, { concurrency: 2, discover: false });
      expect(rest).toMatchObject({ finished: true, resumed: true, runId: first.runId });
      expect(first.failed.length + rest.failed.length).toBe(2);
      const [row] = await h.ctx.db.query(`SELECT persons_failed, finished_at FROM reconcile_runs WHERE id = $1`, [
        rest.runId,
      ]);
      expect(row.persons_failed, 'the failures of both invocations').toBe(2);
      expect(row.finished_at, 'it walked to the end').not.toBeNull();
      expect(await lastSuccess(), 'more than 1% failed: not a success').toBe(0);
    } finally {
      for (const mailbox of denied) h.microsoft.graph.addMailbox(mailbox, { state: 'enabled' });
    }
    const good = await reconcileAll(h.ctx, { concurrency: 2, discover: false });
    expect(good).toMatchObject({ finished: true, failed: [] });
    const [{ at }] = await h.ctx.db.query(
      `SELECT EXTRACT(EPOCH FROM finished_at)::float8 AS at FROM reconcile_runs WHERE id = $1`,
      [good.runId],
    );
    expect(await lastSuccess()).toBe(at);
  });
});
