import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseTpTime } from '../../src/desired/time';
import { courseKey, type CourseRef } from '../../src/domain/types';
import type { InspectedEvent } from '../../testkit/graph/graphEmulator';
import type { Occurrence } from '../../testkit/graph/graphRecurrence';
import type { Institution, TpWireEvent } from '../../testkit/institution/institution';
import { SyncError } from '../../src/sync/errors';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { startHarness, type Harness } from '../../testkit/support/harness';
import { asSeen, kadaOccurrences, mailboxView } from '../../testkit/support/mailboxView';

/**
 * Randomised hunt for differences between SERIES_MODE=weekly and the default mode. Each run starts
 * two identical worlds (same institution seed and calendar mode), one per series mode, and plays the
 * same random rounds of TP changes on one student's courses in both (moves inside and across weeks,
 * cancels and un-cancels, topics, rooms, deleted and added events, a new room or time for the rest
 * of the semester), and now and then the person editing or deleting occurrences or whole series in
 * Outlook, reconciled at once or only after the next round's TP changes were synced over them.
 * After every round the person must see the same calendar in both mailboxes (the Graph emulator's
 * expanded view), the occurrences TP's oracle says at its instants, and a second sync (and, every
 * other round, a reconcile) must write nothing; after a reconcile the person's changes are gone.
 *
 * The plan is drawn by fast-check from SERIES_SEED (printed; set it to replay a run). Shrinking
 * is off by default because every run costs two fresh worlds; SERIES_SHRINK=1 turns it on to
 * minimise a failure, SERIES_RUNS sets the number of runs, and SERIES_SCENARIO (a counterexample
 * as JSON) replays one scenario.
 */

const SEED = process.env.SERIES_SEED ? Number(process.env.SERIES_SEED) : 20260917;
const RUNS = process.env.SERIES_RUNS ? Number(process.env.SERIES_RUNS) : 8;
const SHRINK = process.env.SERIES_SHRINK === '1';
/** One scenario to replay (JSON, as fast-check prints a counterexample) instead of random runs. */
const REPLAY = process.env.SERIES_SCENARIO ? (JSON.parse(process.env.SERIES_SCENARIO) as Scenario) : null;
const SEMESTER = '26h';
const TP_ZONE = 'Europe/Oslo';

/** Which occurrence an operation is about, resolved against the world when it is applied. */
interface Target {
  /** Index into the student's activities (kept small so changes pile up in the same series). */
  act: number;
  /** Index into that activity's events. */
  week: number;
}

type TpOp =
  | { kind: 'moveInWeek'; t: Target; weekday: number; hour: number }
  | { kind: 'moveWeek'; t: Target; weeks: number; weekday: number; hour: number }
  | { kind: 'cancel'; t: Target }
  | { kind: 'uncancel'; t: Target }
  | { kind: 'summary'; t: Target; text: string }
  | { kind: 'room'; t: Target; room: number | null }
  | { kind: 'delete'; t: Target }
  | { kind: 'add'; t: Target; weeks: number; weekday: number; hour: number }
  /** From the target's week to the end of the activity: a new room or a new time for the rest of the semester. */
  | { kind: 'roomFrom'; t: Target; room: number }
  | { kind: 'moveFrom'; t: Target; hour: number };

/** An occurrence the person touches: that of a TP event (near the TP changes), or any by index. */
type Pick = Target | number;
type UserOp =
  | { kind: 'edit'; at: Pick; field: 'subject' | 'location' | 'showAs' | 'time' | 'reminder' | 'categories' }
  | { kind: 'delete'; at: Pick }
  /** Deletes the whole series (in the default mode: every occurrence the series shows). */
  | { kind: 'deleteSeries'; at: Pick }
  /** Renames the whole series (in the default mode: its occurrences that are not exceptions). */
  | { kind: 'renameSeries'; at: Pick }
  /** Moves the whole series by half an hour, which drops its exceptions; the default mode has no such thing. */
  | { kind: 'moveSeries'; at: Pick };

interface PersonChange {
  ops: UserOp[];
  /** Reconciled at once, or only after the next round's TP changes were synced over it. */
  reconcile: 'now' | 'afterNextSync';
}

interface Round {
  tp: TpOp[];
  person: PersonChange | null;
}

interface Scenario {
  /** The institution's seed: another timetable. */
  world: number;
  calendar: 'primary' | 'dedicated';
  student: number;
  rounds: Round[];
}

const target = fc.record({ act: fc.nat({ max: 3 }), week: fc.nat({ max: 20 }) });
const weekday = fc.integer({ min: 1, max: 7 });
const hour = fc.constantFrom(8, 10, 12, 14, 16);
const tpOp: fc.Arbitrary<TpOp> = fc.oneof(
  fc.record({ kind: fc.constant('moveInWeek' as const), t: target, weekday, hour }),
  fc.record({ kind: fc.constant('moveWeek' as const), t: target, weeks: fc.constantFrom(-2, -1, 1, 2), weekday, hour }),
  fc.record({ kind: fc.constant('cancel' as const), t: target }),
  fc.record({ kind: fc.constant('uncancel' as const), t: target }),
  fc.record({
    kind: fc.constant('summary' as const),
    t: target,
    text: fc.constantFrom('', 'Repetisjon', 'Ekstra gjennomgang', 'Gjesteforelesning'),
  }),
  fc.record({ kind: fc.constant('room' as const), t: target, room: fc.option(fc.nat({ max: 50 }), { freq: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), t: target }),
  fc.record({ kind: fc.constant('add' as const), t: target, weeks: fc.constantFrom(-1, 0, 1, 3), weekday, hour }),
  fc.record({ kind: fc.constant('roomFrom' as const), t: target, room: fc.nat({ max: 50 }) }),
  fc.record({ kind: fc.constant('moveFrom' as const), t: target, hour }),
);
const pick: fc.Arbitrary<Pick> = fc.oneof(target, fc.nat({ max: 500 }));
const userOp: fc.Arbitrary<UserOp> = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    at: pick,
    field: fc.constantFrom('subject', 'location', 'showAs', 'time', 'reminder', 'categories'),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: pick }),
  fc.record({ kind: fc.constant('deleteSeries' as const), at: pick }),
  fc.record({ kind: fc.constant('renameSeries' as const), at: pick }),
  fc.record({ kind: fc.constant('moveSeries' as const), at: pick }),
);
const round: fc.Arbitrary<Round> = fc.record({
  tp: fc.array(tpOp, { minLength: 1, maxLength: 4 }),
  person: fc.option(
    fc.record({
      ops: fc.array(userOp, { minLength: 1, maxLength: 2 }),
      reconcile: fc.constantFrom('now' as const, 'afterNextSync' as const),
    }),
    { freq: 3 },
  ),
});
const scenario: fc.Arbitrary<Scenario> = fc.record({
  world: fc.integer({ min: 1, max: 40 }),
  calendar: fc.constantFrom('primary' as const, 'dedicated' as const),
  student: fc.nat({ max: 100 }),
  rounds: fc.array(round, { minLength: 3, maxLength: 6 }),
});

const writes = (h: Harness) => {
  const w = h.microsoft.graph.stats().writes;
  return w.create + w.update + w.delete + w.calendarCreate + w.categoryCreate + w.categoryUpdate;
};

const view = mailboxView;

type View = ReturnType<typeof view>;

/** The occurrences only one of two views has (a multiset difference), for readable failures. */
function viewDiff(a: View, b: View): { onlyA: string[]; onlyB: string[] } {
  const count = new Map<string, number>();
  for (const o of a) count.set(JSON.stringify(o), (count.get(JSON.stringify(o)) ?? 0) + 1);
  const onlyB: string[] = [];
  for (const o of b) {
    const k = JSON.stringify(o);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1);
    else onlyB.push(k);
  }
  const onlyA = [...count].flatMap(([k, n]) => new Array<string>(n).fill(k));
  return { onlyA, onlyB };
}

const tpInstant = (text: string) => parseTpTime(text)!.setZone(TP_ZONE);

/** The student's TP activities (course + activity id), each with its events, in a stable order. */
function activities(inst: Institution, personId: string): { course: CourseRef; events: TpWireEvent[] }[] {
  const byActivity = new Map<string, { course: CourseRef; events: TpWireEvent[] }>();
  for (const { course, eventid } of inst.timetableOf(personId, SEMESTER)) {
    const e = inst.event(course, eventid)!;
    const key = `${courseKey(course)}\u0000${e.id}`;
    const entry = byActivity.get(key) ?? { course, events: [] };
    entry.events.push(e);
    byActivity.set(key, entry);
  }
  return [...byActivity.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function resolve(inst: Institution, personId: string, t: Target, only?: (e: TpWireEvent) => boolean) {
  const acts = activities(inst, personId)
    .map((a) => ({ ...a, events: only ? a.events.filter(only) : a.events }))
    .filter((a) => a.events.length > 0);
  if (acts.length === 0) return null;
  const a = acts[t.act % acts.length]!;
  const k = t.week % a.events.length;
  return { course: a.course, event: a.events[k]!, rest: a.events.slice(k) };
}

/** Applies one TP change; returns the course it changed (null when it found nothing to change). */
function applyTp(inst: Institution, personId: string, op: TpOp): CourseRef | null {
  const found = resolve(inst, personId, op.t, op.kind === 'uncancel' ? (e) => e.status === 'cancelled' : undefined);
  if (!found) return null;
  const { course, event: e, rest } = found;
  const start = tpInstant(e.dtstart);
  const length = tpInstant(e.dtend).diff(start);
  switch (op.kind) {
    case 'moveInWeek':
    case 'moveWeek': {
      const to = start
        .plus({ weeks: op.kind === 'moveWeek' ? op.weeks : 0 })
        .set({ weekday: op.weekday as 1, hour: op.hour, minute: 15 });
      inst.moveEvent(course, e.eventid, to.toISO()!, to.plus(length).toISO()!);
      break;
    }
    case 'cancel':
      inst.cancelEvent(course, e.eventid);
      break;
    case 'uncancel':
      inst.cancelEvent(course, e.eventid, false);
      break;
    case 'summary':
      inst.setSummary(course, e.eventid, op.text);
      break;
    case 'room': {
      const rooms = inst.rooms();
      inst.setRoom(course, e.eventid, op.room === null ? [] : rooms[op.room % rooms.length]!.id);
      break;
    }
    case 'delete':
      inst.deleteEvent(course, e.eventid);
      break;
    case 'add': {
      const to = start.plus({ weeks: op.weeks }).set({ weekday: op.weekday as 1, hour: op.hour, minute: 15 });
      inst.addEvent(course, {
        dtstart: to.toISO()!,
        dtend: to.plus({ hours: 2 }).toISO()!,
        actid: e.actid,
        title: e['teaching-title'],
        summary: 'Ekstra time',
        roomId: e.room[0]?.id,
      });
      break;
    }
    case 'roomFrom': {
      const rooms = inst.rooms();
      for (const x of rest) inst.setRoom(course, x.eventid, rooms[op.room % rooms.length]!.id);
      break;
    }
    case 'moveFrom':
      for (const x of rest) {
        const from = tpInstant(x.dtstart);
        const to = from.set({ hour: op.hour, minute: 15 });
        inst.moveEvent(course, x.eventid, to.toISO()!, to.plus(tpInstant(x.dtend).diff(from)).toISO()!);
      }
      break;
  }
  return course;
}

/** The same occurrence in a world's mailbox: by all the person sees of it (TP may have two at one time), not by id. */
function occurrenceAt(h: Harness, mailbox: string, at: View[number]): Occurrence<InspectedEvent> {
  const want = JSON.stringify(at);
  const o = kadaOccurrences(h, mailbox).find((x) => JSON.stringify(asSeen(x)) === want);
  if (!o) throw new Error(`no occurrence at ${at.start} ${at.subject}`);
  return o;
}

/** The occurrence a person's change is about, in the (equal) views of both worlds. */
function pickOccurrence(inst: Institution, personId: string, current: View, at: Pick): View[number] {
  if (typeof at === 'number') return current[at % current.length]!;
  const found = resolve(inst, personId, at);
  const start = found && new Date(tpInstant(found.event.dtstart).toMillis()).toISOString();
  return current.find((o) => o.start === start) ?? current[(at.act * 31 + at.week) % current.length]!;
}

const utcPlus30 = (iso: string) => ({
  dateTime: DateTime.fromISO(iso, { zone: 'utc' }).plus({ minutes: 30 }).toISO({ includeOffset: false })!,
  timeZone: 'UTC',
});

/**
 * Applies the person's change to both worlds alike; returns false when the worlds now differ on
 * purpose (a change only series have), so only reconcile can make them equal again.
 */
function applyUser(off: Harness, weekly: Harness, mailbox: string, op: UserOp, at: View[number]): boolean {
  if (op.kind === 'deleteSeries' || op.kind === 'renameSeries' || op.kind === 'moveSeries') {
    const o = occurrenceAt(weekly, mailbox, at);
    if (!o.seriesMasterId)
      return applyUser(
        off,
        weekly,
        mailbox,
        { kind: op.kind === 'renameSeries' ? 'edit' : 'delete', at: op.at, field: 'subject' },
        at,
      );
    const masterId = o.seriesMasterId;
    const shown = kadaOccurrences(weekly, mailbox).filter((x) => x.seriesMasterId === masterId);
    const inOff = (x: Occurrence<InspectedEvent>) => occurrenceAt(off, mailbox, asSeen(x)).id;
    if (op.kind === 'deleteSeries') {
      for (const x of shown) off.microsoft.graph.userDelete(mailbox, inOff(x));
      weekly.microsoft.graph.userDelete(mailbox, masterId);
      return true;
    }
    if (op.kind === 'renameSeries') {
      for (const x of shown)
        if (x.type === 'occurrence') off.microsoft.graph.userEdit(mailbox, inOff(x), { subject: 'Hele serien' });
      weekly.microsoft.graph.userEdit(mailbox, masterId, { subject: 'Hele serien' });
      return true;
    }
    const master = weekly.microsoft.graph.event(mailbox, masterId)!;
    weekly.microsoft.graph.userEdit(mailbox, masterId, {
      start: utcPlus30(master.startUtc),
      end: utcPlus30(master.endUtc),
    });
    return false;
  }
  for (const h of [off, weekly]) {
    const id = occurrenceAt(h, mailbox, at).id;
    const graph = h.microsoft.graph;
    if (op.kind === 'delete') {
      graph.userDelete(mailbox, id);
      continue;
    }
    const patch: Record<string, Record<string, unknown>> = {
      subject: { subject: 'Mitt eget notat' },
      location: { location: { displayName: 'Hjemme' } },
      showAs: { showAs: at.showAs === 'free' ? 'busy' : 'free' },
      time: { start: utcPlus30(at.start), end: utcPlus30(at.end) },
      reminder: { isReminderOn: !at.reminder },
      categories: { categories: [...at.categories, 'Privat'] },
    };
    graph.userEdit(mailbox, id, patch[op.field]!);
  }
  return true;
}

/** What the runs exercised, so a plan generator that stopped reaching series fails the test. */
const coverage = { runs: 0, rounds: 0, masters: 0, exceptions: 0, personChanges: 0, retries: 0 };

async function runScenario(s: Scenario): Promise<void> {
  coverage.runs++;
  const [off, weekly] = await Promise.all([
    startHarness({ seed: s.world, students: 60, env: { CALENDAR_MODE: s.calendar } }),
    startHarness({ seed: s.world, students: 60, env: { CALENDAR_MODE: s.calendar, SERIES_MODE: 'weekly' } }),
  ]);
  const log: string[] = [];
  const fail = (what: string, detail: unknown) => {
    throw new Error(
      `${what}\nafter:\n  ${log.join('\n  ')}\n${JSON.stringify(detail, null, 2)}\nreplay with ` +
        `SERIES_SCENARIO='${JSON.stringify(s)}'`,
    );
  };
  try {
    const pool = off.institution
      .students()
      .filter((p) => p.epost && off.institution.registrationsOfPerson(p.personlopenummer, SEMESTER).length >= 3);
    const person = pool[s.student % pool.length]!;
    const personId = person.personlopenummer;
    const mailbox = person.epost!;
    log.push(`student ${personId}`);

    const sync = async (h: Harness, name: string, mode: 'sync' | 'reconcile' = 'sync', retry = false) => {
      let r: Awaited<ReturnType<typeof syncPerson>>;
      try {
        r = await syncPerson(h.ctx, personId, { mode });
      } catch (err) {
        // A week the person deleted and TP then changed fails the job for a retry (seriesExceptions.ts).
        if (!retry || !(err instanceof SyncError) || !err.transient) throw err;
        log.push(`${name} ${mode}: retried after ${err.code}`);
        coverage.retries++;
        r = await syncPerson(h.ctx, personId, { mode });
      }
      if (r.failed.length > 0) fail(`${name} ${mode}: failed writes`, r.failed);
      if (process.env.SERIES_DEBUG) log.push(`${name} ${mode}: ${JSON.stringify(r.written)}`);
    };
    const both = async (mode: 'sync' | 'reconcile', retry = false) => {
      await sync(off, 'off', mode, retry);
      await sync(weekly, 'weekly', mode, retry);
    };
    const same = (why: string) => {
      const a = view(off, mailbox);
      const b = view(weekly, mailbox);
      const d = viewDiff(a, b);
      if (d.onlyA.length || d.onlyB.length) fail(`${why}: views differ (onlyA = off, onlyB = weekly)`, d);
      const oracle = off.institution.timetableOf(personId, SEMESTER);
      if (a.length !== oracle.length) fail(`${why}: ${a.length} occurrences, TP oracle says ${oracle.length}`, {});
      const want = oracle
        .map((o) => new Date(tpInstant(off.institution.event(o.course, o.eventid)!.dtstart).toMillis()).toISOString())
        .sort();
      const got = a.map((o) => o.start).sort();
      if (JSON.stringify(got) !== JSON.stringify(want))
        fail(
          `${why}: instants differ from TP`,
          viewDiff(
            want.map((start) => ({ start }) as never),
            got.map((start) => ({ start }) as never),
          ),
        );
      return b;
    };
    const idle = async (h: Harness, name: string, mode: 'sync' | 'reconcile') => {
      const before = writes(h);
      await sync(h, name, mode);
      if (writes(h) !== before)
        fail(
          `${name}: a ${mode} right after a sync wrote ${writes(h) - before} times`,
          h.microsoft.graph.requestLog().slice(-(writes(h) - before) - 5),
        );
    };

    await both('sync');
    same('first sync');

    /** The person changed their calendar and nobody reconciled yet. */
    let drifted = false;
    for (const [i, r] of s.rounds.entries()) {
      const changed = new Map<string, CourseRef>();
      for (const op of r.tp) {
        const a = applyTp(off.institution, personId, op);
        const b = applyTp(weekly.institution, personId, op);
        expect(b).toEqual(a);
        if (a) changed.set(courseKey(a), a);
        log.push(`round ${i}: ${JSON.stringify(op)}`);
      }
      for (const h of [off, weekly]) for (const c of changed.values()) await refreshCourse(h.ctx.db, h.ctx.tp, c);
      await both('sync', drifted);
      if (drifted) {
        // A plain sync does not look for drift, and the modes write different events over it.
        log.push(`round ${i}: reconcile`);
        await both('reconcile');
        drifted = false;
      }
      const seen = same(`round ${i}`);
      coverage.rounds++;
      const occ = kadaOccurrences(weekly, mailbox);
      coverage.masters = Math.max(coverage.masters, new Set(occ.map((o) => o.seriesMasterId).filter(Boolean)).size);
      coverage.exceptions += occ.filter((o) => o.type === 'exception').length;
      await idle(weekly, 'weekly', 'sync');
      await idle(off, 'off', 'sync');
      if (i % 2 === 1) await idle(weekly, 'weekly', 'reconcile');

      if (r.person) {
        for (const op of r.person.ops) {
          const current = view(off, mailbox);
          if (current.length === 0) break;
          const at = pickOccurrence(off.institution, personId, current, op.at);
          coverage.personChanges++;
          log.push(`round ${i}: person ${JSON.stringify(op)} on ${at.start} ${at.subject}`);
          if (!applyUser(off, weekly, mailbox, op, at)) break;
          const d = viewDiff(view(off, mailbox), view(weekly, mailbox));
          if (d.onlyA.length || d.onlyB.length)
            fail(`round ${i}: the person's change differs between the worlds (a test bug)`, d);
        }
        if (r.person.reconcile === 'now' || i === s.rounds.length - 1) {
          log.push(`round ${i}: reconcile`);
          await both('reconcile');
          same(`round ${i}, reconcile after the person's change`);
          const d = viewDiff(seen, view(weekly, mailbox));
          if (d.onlyA.length || d.onlyB.length)
            fail(`round ${i}: reconcile did not restore the calendar (onlyA = before, onlyB = after)`, d);
          await idle(weekly, 'weekly', 'sync');
          await idle(weekly, 'weekly', 'reconcile');
        } else drifted = true;
      }
    }
    if (process.env.SERIES_DEBUG) console.log(log.join('\n'));
  } finally {
    await Promise.all([off.close(), weekly.close()]);
  }
}

describe('SERIES_MODE=weekly under random TP changes and Outlook edits', () => {
  it(
    'shows the person what the default mode shows, and a second sync or reconcile writes nothing',
    async () => {
      if (REPLAY) {
        await runScenario(REPLAY);
        console.log(`seriesProperty: ${JSON.stringify(coverage)}`);
        expect(coverage.rounds).toBe(REPLAY.rounds.length);
        return;
      }
      console.log(`seriesProperty: SERIES_SEED=${SEED} SERIES_RUNS=${RUNS}${SHRINK ? ' SERIES_SHRINK=1' : ''}`);
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          await runScenario(s);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK },
      );
      console.log(`seriesProperty: ${JSON.stringify(coverage)}`);
      expect(coverage.runs).toBeGreaterThanOrEqual(RUNS);
      expect(coverage.masters).toBeGreaterThan(0);
      // With the default number of runs the plans are known to reach exceptions and Outlook edits.
      if (RUNS >= 5) {
        expect(coverage.exceptions).toBeGreaterThan(0);
        expect(coverage.personChanges).toBeGreaterThan(0);
      }
    },
    // A run takes a few seconds (two fresh worlds and a dozen syncs); shrinking takes many runs.
    SHRINK ? 3_600_000 : Math.max(120_000, RUNS * 20_000),
  );
});
