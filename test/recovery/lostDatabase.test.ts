import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { eventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { transactionIdFor, transactionKeyOf } from '../../src/graph/transactionId';
import { startHarness, type Harness } from '../../testkit/support/harness';
import { killHard, startKada, stopGracefully, type KadaChild } from '../../testkit/support/kadaProcess';
import { checkCalendars } from '../chaos/calendarCheck';
import { createAmqpFixture, eventually, type AmqpFixture } from '../intake/amqpFixture';
import { amqpEnv } from '../pipeline/pipelineFixture';
import { tpCourseMessage } from '../planner/plannerFixture';
import { courseList, kadaCli, loseDatabase, mailboxes, openDatabase, snapshotMailboxes, waitIdle } from './drillWorld';

/**
 * The lost-database drill (docs/runbook.md "Lost database drill"): an installation filled through `kada run`, its
 * database dropped, `kada migrate` and `kada reconcile --all --courses -` (built CLI). Every event is
 * adopted from Graph by its markers: each mailbox holds exactly what it held before (same ids, same
 * content), recovery writes nothing, and what comes after (a re-create, a TP change) behaves as if
 * the database had never been lost.
 */

const SEMESTER = '26h';
const open: { fx?: AmqpFixture; h?: Harness; kada?: KadaChild; db?: DataSource }[] = [];
afterAll(async () => {
  for (const w of open) {
    if (w.kada) await killHard(w.kada);
    if (w.db?.isInitialized) await w.db.destroy();
    await w.h?.close();
    await w.fx?.close();
  }
}, 120_000);

const kadaEvents = (h: Harness, mailbox: string) =>
  h.microsoft.graph.events(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');

async function filledInstallation(name: string, seriesMode: 'off' | 'weekly', students: number) {
  const w: (typeof open)[number] = {};
  open.push(w);
  w.fx = await createAmqpFixture(name);
  const h = await startHarness({
    seed: 71,
    students,
    noContext: true,
    env: { ...amqpEnv(w.fx), SERIES_MODE: seriesMode, KADA_PLANNER_DEBOUNCE_MS: '100' },
  });
  w.h = h;
  w.kada = await startKada(h.env, { KADA_WORKERS: '4' });
  await w.kada.waitReady();
  const queued = await kadaCli(h, ['enqueue-course', '-', SEMESTER], courseList(h, SEMESTER));
  expect(queued.code, queued.stderr).toBe(0);
  await waitIdle(h.db.dataSource);
  const personIds = [...h.institution.students(), ...h.institution.lecturers()].map((p) => p.personlopenummer);
  const check = () =>
    checkCalendars({
      institution: h.institution,
      graph: h.microsoft.graph,
      semesters: [SEMESTER],
      personIds,
      expanded: seriesMode === 'weekly',
    });
  return { w, h, check };
}

/** Drop, migrate, reconcile --all with the course list: the drill's recovery, with what Graph saw of it. */
async function recover(w: (typeof open)[number], h: Harness) {
  await stopGracefully(w.kada!);
  w.kada = undefined;
  await loseDatabase(h);
  const migrated = await kadaCli(h, ['migrate']);
  expect(migrated.code, migrated.stderr).toBe(0);
  h.microsoft.graph.resetStats();
  const r = await kadaCli(h, ['reconcile', '--all', '--courses', '-', '--json'], courseList(h, SEMESTER));
  expect(r.code, r.stderr).toBe(0);
  w.db = await openDatabase(h.db.url);
  return { report: JSON.parse(r.stdout), writes: h.microsoft.graph.stats().writes };
}

function expectSameMailboxes(before: Map<string, string[]>, after: Map<string, string[]>) {
  for (const [mailbox, was] of before) expect(after.get(mailbox), `kada events of ${mailbox}`).toEqual(was);
}

describe('the lost-database drill', () => {
  it('SERIES_MODE=off: all adopted, nothing written, generations kept, a TP change updates in place', async () => {
    const { w, h, check } = await filledInstallation('drilloff', 'off', 40);
    // One event the person deleted and kada made again: its transactionId is generation 1's.
    const person = h.institution
      .students()
      .find((s) => s.epost && h.institution.timetableOf(s.personlopenummer, SEMESTER).length)!;
    const mailbox = person.epost!.toLowerCase();
    const victim = kadaEvents(h, mailbox)[0]!;
    const key = victim.extendedProperties[KEY_PROP]!;
    h.microsoft.graph.userDelete(mailbox, victim.id);
    expect((await kadaCli(h, ['reconcile', '--person', person.personlopenummer])).code).toBe(0);
    const remade = kadaEvents(h, mailbox).find((e) => e.extendedProperties[KEY_PROP] === key)!;
    expect(remade.transactionId).toBe(transactionIdFor(mailbox, transactionKeyOf(key, 1)));

    const figures = check();
    expect(figures).toMatchObject({ missing: 0, duplicate: 0, wrong: 0, extra: 0 });
    expect(figures.persons - figures.withoutMailbox).toBeGreaterThanOrEqual(30);
    const before = snapshotMailboxes(h);

    const { report, writes } = await recover(w, h);
    expect(report).toMatchObject({ finished: true, failed: [], repairs: 0, discovery: { failed: [] } });
    expect(report.persons).toBeGreaterThanOrEqual(figures.persons - figures.withoutMailbox);
    expect(writes).toMatchObject({ create: 0, createDeduplicated: 0, update: 0, delete: 0 });
    expectSameMailboxes(before, snapshotMailboxes(h));
    const events = mailboxes(h).reduce((sum, m) => sum + kadaEvents(h, m).length, 0);
    expect(check()).toMatchObject({ missing: 0, duplicate: 0, wrong: 0, extra: 0 });
    const [{ n }] = await w.db!.query(`SELECT count(*)::int AS n FROM synced_events`);
    expect(n).toBe(events);

    // The generation came back from the transactionId: the next re-create takes generation 2, never 1 again.
    const [row] = await w.db!.query(`SELECT generation FROM synced_events WHERE event_key = $1 AND mailbox = $2`, [
      key,
      mailbox,
    ]);
    expect(row.generation).toBe(1);
    h.microsoft.graph.userDelete(mailbox, remade.id);
    expect((await kadaCli(h, ['reconcile', '--person', person.personlopenummer])).code).toBe(0);
    const again = kadaEvents(h, mailbox).filter((e) => e.extendedProperties[KEY_PROP] === key);
    expect(again.map((e) => e.transactionId)).toEqual([transactionIdFor(mailbox, transactionKeyOf(key, 2))]);

    // A TP change after recovery: the recorded event is moved in place, not made again.
    w.kada = await startKada(h.env, { KADA_WORKERS: '4' });
    await w.kada.waitReady();
    const other = h.institution
      .students()
      .find((s) => s.epost && s !== person && h.institution.timetableOf(s.personlopenummer, SEMESTER).length)!;
    const otherBox = other.epost!.toLowerCase();
    const { course, eventid } = h.institution.timetableOf(other.personlopenummer, SEMESTER)[0]!;
    const moving = eventKey(course, eventid);
    const was = kadaEvents(h, otherBox).find((e) => e.extendedProperties[KEY_PROP] === moving)!;
    const tp = h.institution.event(course, eventid)!;
    const start = parseTpTime(tp.dtstart)!.plus({ days: 1 });
    h.institution.moveEvent(course, eventid, start.toISO()!, parseTpTime(tp.dtend)!.plus({ days: 1 }).toISO()!);
    h.microsoft.graph.resetStats();
    const msg = tpCourseMessage(course);
    await w.fx!.publish(w.fx!.exchangeFor(msg.routingKey), msg.routingKey, msg.body);
    await eventually(() => Date.parse(h.microsoft.graph.event(otherBox, was.id)?.startUtc ?? '') === start.toMillis(), {
      what: 'the moved event, updated in place',
      timeoutMs: 60_000,
    });
    await waitIdle(w.db!);
    expect(kadaEvents(h, otherBox).filter((e) => e.extendedProperties[KEY_PROP] === moving)).toHaveLength(1);
    expect(h.microsoft.graph.stats().writes).toMatchObject({ create: 0, delete: 0 });
    expect(check()).toMatchObject({ missing: 0, duplicate: 0, wrong: 0, extra: 0 });
  }, 600_000);

  it.skipIf(process.env.DRILL_ONLY_OFF)(
    'SERIES_MODE=weekly: series masters, their exceptions and single events are all adopted',
    async () => {
      const { w, h, check } = await filledInstallation('drillweekly', 'weekly', 15);
      expect(check()).toMatchObject({ missing: 0, duplicate: 0, wrong: 0, extra: 0 });
      const masters = mailboxes(h).flatMap((m) => kadaEvents(h, m).filter((e) => e.type === 'seriesMaster'));
      expect(masters.length).toBeGreaterThan(0);
      const before = snapshotMailboxes(h);

      const { report, writes } = await recover(w, h);
      expect(report).toMatchObject({ finished: true, failed: [], repairs: 0 });
      expect(writes).toMatchObject({ create: 0, createDeduplicated: 0, update: 0, delete: 0 });
      expectSameMailboxes(before, snapshotMailboxes(h));
      expect(check()).toMatchObject({ missing: 0, duplicate: 0, wrong: 0, extra: 0 });
      // Exceptions are state rows too (`<master key>@<date>`): the next sync has nothing to repair.
      const [{ n }] = await w.db!.query(`SELECT count(*)::int AS n FROM synced_events WHERE event_key LIKE '%@%'`);
      expect(n).toBeGreaterThan(0);
      const again = await kadaCli(h, ['reconcile', '--all', '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({ finished: true, repairs: 0, failed: [] });
    },
    600_000,
  );
});
