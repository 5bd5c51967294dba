import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { reconcileAll } from '../../src/reconcile/reconcileAll';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';

/** Drift repair: what users and Graph do to kada's events, and how one reconcile puts it right. */
describe('reconcile', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 23, students: 40 });
  });
  afterAll(async () => h?.close());

  const g = () => h.microsoft.graph;
  const students = () => h.institution.students().filter((s) => s.epost);
  const kada = (mailbox: string) =>
    g()
      .events(mailbox)
      .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');
  const snapshot = (mailbox: string) =>
    kada(mailbox)
      .map((e) =>
        JSON.stringify([
          e.extendedProperties[KEY_PROP],
          e.subject,
          e.startUtc,
          e.endUtc,
          e.location.displayName,
          e.showAs,
        ]),
      )
      .sort();
  const writesSince = (before: ReturnType<typeof g>['stats'] extends () => infer S ? S : never) => {
    const w = g().stats().writes;
    return {
      create: w.create - before.writes.create,
      update: w.update - before.writes.update,
      delete: w.delete - before.writes.delete,
    };
  };

  it('restores an edited event and recreates a deleted one, touching nothing else', async () => {
    const s = students()[0]!;
    await syncPerson(h.ctx, s.personlopenummer);
    const good = snapshot(s.epost!);
    const [edited, deleted] = kada(s.epost!);
    const user = g().addUserEvent(s.epost!, {
      subject: 'Trening',
      start: { dateTime: '2026-09-02T18:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-09-02T19:00:00', timeZone: 'W. Europe Standard Time' },
    });
    g().userEdit(s.epost!, edited!.id, {
      subject: 'Flyttet av meg',
      start: { dateTime: '2026-09-03T08:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-09-03T09:00:00', timeZone: 'W. Europe Standard Time' },
    });
    g().userDelete(s.epost!, deleted!.id);
    expect(snapshot(s.epost!)).not.toEqual(good);

    // a plain sync trusts the state store and cannot see the drift
    expect((await syncPerson(h.ctx, s.personlopenummer)).written).toEqual({ creates: 0, updates: 0, deletes: 0 });
    const before = g().stats();
    const r = await syncPerson(h.ctx, s.personlopenummer, { mode: 'reconcile' });
    expect(r.written).toEqual({ creates: 1, updates: 1, deletes: 0 });
    expect(writesSince(before)).toEqual({ create: 1, update: 1, delete: 0 });
    expect(snapshot(s.epost!)).toEqual(good);
    expect(g().event(s.epost!, user.id)?.subject).toBe('Trening');
    expect(
      g()
        .requestLog()
        .filter((l) => l.eventId === user.id),
    ).toEqual([]);
    // and the state store agrees with Graph: the next reconcile writes nothing
    expect((await syncPerson(h.ctx, s.personlopenummer, { mode: 'reconcile' })).written).toEqual({
      creates: 0,
      updates: 0,
      deletes: 0,
    });
  });

  it('cleans a duplicate (one key twice) to one event', async () => {
    const s = students()[1]!;
    await syncPerson(h.ctx, s.personlopenummer);
    const good = snapshot(s.epost!);
    const original = kada(s.epost!)[2]!;
    const copy = g().duplicateEvent(s.epost!, original.id);
    expect(kada(s.epost!)).toHaveLength(good.length + 1);
    const r = await syncPerson(h.ctx, s.personlopenummer, { mode: 'reconcile' });
    expect(r.written).toEqual({ creates: 0, updates: 0, deletes: 1 });
    expect(snapshot(s.epost!)).toEqual(good);
    const keys = kada(s.epost!).map((e) => e.extendedProperties[KEY_PROP]);
    expect(new Set(keys).size).toBe(keys.length);
    // exactly one of the original and its copy survives
    expect([g().event(s.epost!, copy.id), g().event(s.epost!, original.id)].filter(Boolean)).toHaveLength(1);
  });

  it('rebuilds a lost state store from the markers without duplicating events', async () => {
    const s = students()[2]!;
    await syncPerson(h.ctx, s.personlopenummer);
    const good = snapshot(s.epost!);
    const ids = kada(s.epost!)
      .map((e) => e.id)
      .sort();
    await h.ctx.db.query(`DELETE FROM synced_events WHERE person_id = $1`, [s.personlopenummer]);
    const before = g().stats();
    const r = await syncPerson(h.ctx, s.personlopenummer, { mode: 'reconcile' });
    expect(writesSince(before)).toEqual({ create: 0, update: 0, delete: 0 });
    expect(r.eventCount).toBe(good.length);
    expect(snapshot(s.epost!)).toEqual(good);
    expect(
      kada(s.epost!)
        .map((e) => e.id)
        .sort(),
    ).toEqual(ids);
    const rows: { graph_event_id: string }[] = await h.ctx.db.query(
      `SELECT graph_event_id FROM synced_events WHERE person_id = $1 ORDER BY graph_event_id`,
      [s.personlopenummer],
    );
    expect(rows.map((x) => x.graph_event_id).sort()).toEqual(ids);
    // a plain sync afterwards finds nothing to do either
    expect((await syncPerson(h.ctx, s.personlopenummer)).written).toEqual({ creates: 0, updates: 0, deletes: 0 });
  });

  it('deletes orphans: kada events whose occurrence no longer exists for the person', async () => {
    const s = students()[3]!;
    await syncPerson(h.ctx, s.personlopenummer);
    const good = snapshot(s.epost!);
    const orphan = g().duplicateEvent(s.epost!, kada(s.epost!)[0]!.id);
    g().userEdit(s.epost!, orphan.id, {
      singleValueExtendedProperties: [{ id: KEY_PROP, value: 'tp:26h:GONE1000,1:26H-GONE-1' }],
    });
    const r = await syncPerson(h.ctx, s.personlopenummer, { mode: 'reconcile' });
    expect(r.written.deletes).toBe(1);
    expect(snapshot(s.epost!)).toEqual(good);
  });

  it('reconcile --all walks every known person, resumable across runs', async () => {
    const some = students().slice(4, 10);
    for (const s of some) await syncPerson(h.ctx, s.personlopenummer);
    for (const s of some) g().userDelete(s.epost!, kada(s.epost!)[0]!.id);
    const [{ n: known }] = await h.ctx.db.query(`SELECT count(*)::int AS n FROM persons WHERE status <> 'gone'`);
    const first = await reconcileAll(h.ctx, { concurrency: 2, maxPersons: 3, discover: false });
    expect(first).toMatchObject({ finished: false, persons: 3, resumed: false });
    const second = await reconcileAll(h.ctx, { concurrency: 2 });
    expect(second).toMatchObject({ finished: true, resumed: true, runId: first.runId, persons: known, failed: [] });
    expect(second.repairs).toBe(some.length);
    for (const s of some)
      expect(kada(s.epost!)).toHaveLength(h.institution.timetableOf(s.personlopenummer, '26h').length);
    const third = await reconcileAll(h.ctx, { concurrency: 2, discover: false });
    expect(third).toMatchObject({ finished: true, resumed: false, repairs: 0, discovery: null });
    expect(third.runId).not.toBe(first.runId);
  });

  it('reconcile --all also syncs persons whose notification never came (found in FS by course)', async () => {
    const known = new Set(
      (await h.ctx.db.query(`SELECT person_id FROM persons`)).map((r: { person_id: string }) => r.person_id),
    );
    const synced = students().find((s) => known.has(s.personlopenummer))!;
    const course = h.institution.registrationsOfPerson(synced.personlopenummer, '26h')[0]!.emne.kode;
    const newcomer = students().find(
      (s) =>
        !known.has(s.personlopenummer) &&
        h.institution.registrationsOfPerson(s.personlopenummer, '26h').some((r) => r.emne.kode === course),
    )!;
    expect(newcomer).toBeDefined();
    expect(kada(newcomer.epost!)).toEqual([]);

    const run = await reconcileAll(h.ctx, { concurrency: 2 });
    expect(run).toMatchObject({ finished: true, failed: [] });
    expect(run.discovery!.failed).toEqual([]);
    expect(run.discovery!.courses).toBeGreaterThan(0);
    expect(run.discovery!.added).toBeGreaterThan(0);
    expect(run.persons).toBe(
      known.size - (await h.ctx.db.query(`SELECT 1 FROM persons WHERE status = 'gone'`)).length + run.discovery!.added,
    );
    expect(kada(newcomer.epost!)).toHaveLength(h.institution.timetableOf(newcomer.personlopenummer, '26h').length);

    const again = await reconcileAll(h.ctx, { concurrency: 2 });
    expect(again.discovery).toMatchObject({ added: 0, failed: [] });
    expect(again.repairs).toBe(0);
  });

  it('reconcile --all reads each course from TP once a run, not once for every person taking it', async () => {
    // Read before this run (a walk counts a read of the minute before it as its own).
    await h.ctx.db.query(`UPDATE tp_courses SET fetched_at = now() - interval '2 hours'`);
    h.sources.resetStats();
    const run = await reconcileAll(h.ctx, { concurrency: 2, discover: false });
    expect(run).toMatchObject({ finished: true, failed: [] });
    const reads = Object.entries(h.sources.stats().byResource).filter(([k]) => k.startsWith('tp.course '));
    expect(reads.length).toBeGreaterThan(0);
    expect(run.persons).toBeGreaterThan(2 * reads.length);
    for (const [course, n] of reads) expect({ course, n }).toEqual({ course, n: 1 });
  });
});
