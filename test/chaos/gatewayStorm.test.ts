import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context';
import { OWNER_PROP } from '../../src/domain/markers';
import type { CourseRef } from '../../src/domain/types';
import { courseFanOut } from '../../src/planner/courseFanOut';
import { reconcileAll } from '../../src/reconcile/reconcileAll';
import { createFsClient } from '../../src/sources/fsClient';
import { SourceError } from '../../src/sources/http';
import { createTpClient } from '../../src/sources/tpClient';
import { syncPerson } from '../../src/sync/syncPerson';
import { FS_KEY, startHarness, TP_KEY, type Harness } from '../../testkit/support/harness';

/**
 * Issue 15: the API gateway answers 404 itself while an API is undeployed or misrouted. A storm of those
 * (Gravitee's `No context-path matches the request URI.` as text and as JSON, and HTML pages) during a
 * `reconcile --all` and during notification work must delete nothing and mark nobody gone.
 */
describe('gateway 404 storm', () => {
  let h: Harness;
  let ctx: AppContext;
  const persons: string[] = [];
  let course: CourseRef;

  beforeAll(async () => {
    h = await startHarness({ seed: 15, students: 24 });
    // Fast source retries so the storm costs seconds, not minutes.
    const retry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 };
    const tp = createTpClient({ baseUrl: h.sources.tpBaseUrl, apiKey: TP_KEY, retry });
    const fs = createFsClient({ baseUrl: h.sources.fsBaseUrl, apiKey: FS_KEY, retry });
    ctx = { ...h.ctx, tp, fs };
    for (const s of h.institution
      .students()
      .filter((p) => p.epost)
      .slice(0, 6)) {
      const r = await syncPerson(ctx, s.personlopenummer);
      expect(r.outcome).toBe('synced');
      persons.push(s.personlopenummer);
    }
    course = h.institution.courses('26h')[0]!.ref;
  }, 120_000);
  afterAll(async () => h?.close());

  const kadaEventCount = () =>
    h.institution
      .students()
      .filter((s) => s.epost)
      .reduce(
        (n, s) => n + h.microsoft.graph.events(s.epost!).filter((e) => e.extendedProperties[OWNER_PROP]).length,
        0,
      );
  const gone = async () =>
    (await h.ctx.db.query(`SELECT count(*)::int AS n FROM persons WHERE status = 'gone'`))[0].n as number;

  it.each([
    ['text', 'json'],
    ['json', 'text'],
    ['html', 'json'],
  ] as const)('FS answering gateway %s and TP gateway %s: nothing deleted, nobody gone', async (fsForm, tpForm) => {
    const events = kadaEventCount();
    const deletes = h.microsoft.graph.stats().writes.delete;
    expect(events).toBeGreaterThan(0);
    h.sources.setFaults({ fs: { gateway: fsForm }, tp: { gateway: tpForm } });
    try {
      // The nightly reconcile --all: discovery and every person fail as transient, nothing is acted on.
      const run = await reconcileAll(ctx, { concurrency: 2 }).catch((err: Error) => err);
      if (run instanceof Error) expect(run).toBeInstanceOf(SourceError);
      else expect(run.failed.length).toBeGreaterThan(0);
      // Notification work: a TP course change fans out, then the persons' jobs run.
      await expect(courseFanOut(ctx.db, ctx, course)).rejects.toBeInstanceOf(SourceError);
      for (const personId of persons) {
        const err = await syncPerson(ctx, personId).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SourceError);
        expect((err as SourceError).code).toBe('SOURCE_UNAVAILABLE');
      }
      // Only TP down: the persons' courses come from the stored copies or fail, never from "no timetable".
      h.sources.setFaults({ tp: { gateway: tpForm } });
      for (const personId of persons) await syncPerson(ctx, personId, { courseMaxAgeMs: 0 }).catch(() => undefined);
    } finally {
      h.sources.setFaults({});
    }
    expect(h.microsoft.graph.stats().writes.delete).toBe(deletes);
    expect(kadaEventCount()).toBe(events);
    expect(await gone()).toBe(0);
    expect(await h.ctx.db.query(`SELECT * FROM wipe_sightings`)).toEqual([]);
  });
});
