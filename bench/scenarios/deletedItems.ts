import type { AppContext } from '../../src/app/context';
import { OWNER_PROP } from '../../src/domain/markers';
import { courseKey, type CourseRef } from '../../src/domain/types';
import type { Institution } from '../../testkit/institution/institution';
import { parseInstant } from '../../testkit/institution/institutionTimetable';
import { occurrencesOf } from '../benchInstitution';
import type { BenchContext } from '../benchContext';
import { graphCounts } from '../graphCounts';
import { runPersonJobs } from '../jobRun';
import { num, type Section } from '../report';

/**
 * 9. Deleted Items after a semester of TP changes (issue 14): kada deletes what it owns with
 * permanentDelete, so a timetable entry never lands in the user's Deleted Items, where a restore
 * could only make a duplicate. Twelve "weeks" of TP changes (moves, new topics, room changes,
 * cancellations, deletions, added sessions, two students dropping a course) reach the fill students
 * (SERIES_MODE=off) and the series students (weekly, where a series that changes shape is replaced).
 * The reference is what a plain DELETE (kada before issue 14) would have left there: every delete.
 * Graph latency is 0 here: the figure is a count, not a time.
 */
const WEEKS = 12;

interface ModeFigures {
  persons: number;
  deletes: number;
  creates: number;
  updates: number;
  inDeletedItems: number;
  shown: number;
  oracle: number;
}

export async function deletedItems(b: BenchContext): Promise<Section> {
  const { env, inst } = b;
  env.graph.setLatency(0);
  try {
    const seriesCtx = await env.createContext({ SERIES_MODE: 'weekly' });
    const groups: { label: string; ctx: AppContext; persons: string[] }[] = [
      { label: 'SERIES_MODE=off', ctx: env.ctx, persons: inst.fill },
      { label: 'SERIES_MODE=weekly', ctx: seriesCtx, persons: inst.series },
    ];
    for (const g of groups) await runPersonJobs(g.ctx, g.persons, 'bench: before the semester');
    const courses = changedCourses(b);
    const writes = new Map(groups.map((g) => [g.label, { deletes: 0, creates: 0, updates: 0 }]));
    for (let week = 0; week < WEEKS; week++) {
      for (const ref of courses) changeWeek(inst.institution, ref, week);
      if (week === WEEKS / 2) dropOneCourse(b, [inst.fill[1], inst.series[1]]);
      // Kada's TP snapshots are read again as a notification's planner run would.
      for (const ref of courses) await forgetSnapshot(env.ctx, ref);
      for (const g of groups) {
        env.graph.resetStats();
        const run = await runPersonJobs(g.ctx, g.persons, `bench: semester week ${week + 1}`);
        b.checkJobs(`deleted items, week ${week + 1}`, run);
        const c = graphCounts(env.graph.stats());
        const sum = writes.get(g.label)!;
        sum.deletes += c.deletes;
        sum.creates += c.creates;
        sum.updates += c.updates;
      }
    }
    return section(groups.map((g) => ({ label: g.label, f: figuresOf(b, g.persons, writes.get(g.label)!) })));
  } finally {
    env.graph.setLatency(b.opts.latencyMs);
  }
}

/** The courses the fill and series students take, except the two other scenarios keep apart. */
function changedCourses(b: BenchContext): CourseRef[] {
  const { inst } = b;
  const skip = new Set([courseKey(inst.fanOutCourse), courseKey(inst.latencyCourse)]);
  const out = new Map<string, CourseRef>();
  for (const id of [...inst.fill, ...inst.series]) {
    for (const r of inst.institution.registrationsOfPerson(id, inst.semester)) {
      const ref = { courseId: r.emne.kode, version: r.emne.versjon, semester: inst.semester };
      if (!skip.has(courseKey(ref))) out.set(courseKey(ref), ref);
    }
  }
  return [...out.values()];
}

/** One week of a course's life in TP: a few edits, chosen by position so every run makes the same ones. */
function changeWeek(institution: Institution, ref: CourseRef, week: number): void {
  const events = [...(institution.courseEvents(ref) ?? [])];
  if (events.length < 4) return;
  const pick = (salt: number) => events[(week * 7 + salt * 13) % events.length]!;
  const moved = pick(1);
  const hour = 3_600_000;
  institution.moveEvent(ref, moved.eventid, shifted(moved.dtstart, hour), shifted(moved.dtend, hour));
  institution.setSummary(ref, pick(2).eventid, `Nytt tema uke ${week + 1}`);
  const rooms = institution.rooms();
  if (rooms.length) institution.setRoom(ref, pick(3).eventid, rooms[week % rooms.length]!.id);
  if (week % 3 === 1) institution.cancelEvent(ref, pick(4).eventid);
  if (week % 4 === 2) institution.deleteEvent(ref, pick(5).eventid);
  if (week % 4 === 3) {
    const model = pick(6);
    const shift = 2 * 24 * hour;
    institution.addEvent(ref, {
      dtstart: shifted(model.dtstart, shift),
      dtend: shifted(model.dtend, shift),
      actid: model.actid,
      title: 'Ekstra',
    });
  }
}

/** A TP time (`2026-08-20 10:15:00+02`) moved by `ms`, as the ISO instant the institution's setters take. */
const shifted = (tpTime: string, ms: number) => parseInstant(tpTime).plus({ milliseconds: ms }).toISO()!;

function dropOneCourse(b: BenchContext, persons: (string | undefined)[]): void {
  for (const id of persons) {
    if (!id) continue;
    const reg = b.inst.institution
      .registrationsOfPerson(id, b.inst.semester)
      .find((r) => r.emne.kode !== b.inst.fanOutCourse.courseId && r.emne.kode !== b.inst.latencyCourse.courseId);
    if (reg)
      b.inst.institution.removeRegistration(id, {
        courseId: reg.emne.kode,
        version: reg.emne.versjon,
        semester: b.inst.semester,
      });
  }
}

async function forgetSnapshot(ctx: AppContext, ref: CourseRef): Promise<void> {
  await ctx.db.query(`DELETE FROM tp_courses WHERE semester = $1 AND course_id = $2 AND course_version = $3`, [
    ref.semester,
    ref.courseId,
    ref.version,
  ]);
}

function figuresOf(
  b: BenchContext,
  persons: string[],
  writes: { deletes: number; creates: number; updates: number },
): ModeFigures {
  const { env, inst } = b;
  let inDeletedItems = 0;
  let shown = 0;
  for (const id of persons) {
    const mailbox = inst.institution.person(id)?.epost?.toLowerCase();
    if (!mailbox) continue;
    inDeletedItems += env.graph.deletedItems(mailbox).filter((e) => e.extendedProperties[OWNER_PROP]).length;
    shown += env.graph.occurrences(mailbox).filter((o) => o.extendedProperties[OWNER_PROP]).length;
  }
  return {
    persons: persons.length,
    ...writes,
    inDeletedItems,
    shown,
    oracle: occurrencesOf(inst.institution, persons, inst.semester),
  };
}

function section(modes: { label: string; f: ModeFigures }[]): Section {
  return {
    id: '9',
    title: 'Deleted Items after a semester of TP changes',
    rows: modes.flatMap(({ label, f }, i) => [
      {
        scenario:
          i === 0 ? `${WEEKS} weeks of TP changes; ${label}, ${f.persons} persons` : `${label}, ${f.persons} persons`,
        measure: 'kada events in Deleted Items',
        value: num(f.inDeletedItems),
        reference:
          `with DELETE (before issue 14): ${num(f.deletes)}, one per delete ` +
          `(${num(f.creates)} creates, ${num(f.updates)} updates)`,
        goal: '0',
        met: f.inDeletedItems === 0,
      },
      {
        scenario: '',
        measure: 'occurrences shown after the semester',
        value: num(f.shown),
        reference: `TP's oracle: ${num(f.oracle)}`,
        goal: 'equal',
        met: f.shown === f.oracle,
      },
    ]),
    notes: [
      'A restore from Deleted Items (a user undoing "their" deletion) could only bring back an entry TP no longer ' +
        'has, a duplicate until the next reconcile; with permanentDelete there is nothing to restore.',
    ],
  };
}
