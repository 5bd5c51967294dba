import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/app/context';
import { roomTargetId } from '../../src/domain/target';
import { courseKey } from '../../src/domain/types';
import { storeManualCourseChange } from '../../src/intake/inboxStore';
import { Planner } from '../../src/planner/planner';
import { replaceRoomMapping } from '../../src/store/rooms';
import { refreshCourse } from '../../src/sync/loadCourses';
import type { BenchContext } from '../benchContext';
import { measured, slotUtilisation } from '../graphCounts';
import { BenchWorkers, drained, runPersonJobs } from '../jobRun';
import { num, ratio, secs, type Section } from '../report';
import { type FanOutFigures, holdersOf, inboxSettled, moveOccurrence, prepareFanOut } from './fanOut';

/**
 * 10. Room calendars (ROOM_CALENDARS=on, rooms-ics.md): one TP change of the fan-out course reaching its
 * students and the 3 mapped rooms the occurrence is booked in, through the planner and the worker pool
 * at L. Judged like scenario 3, against writes × L / 4, and against scenario 3's own ratio in this run.
 */
export async function roomFanOut(b: BenchContext, fan: FanOutFigures | undefined): Promise<Section> {
  const { env, inst, opts } = b;
  const L = opts.latencyMs;
  // The same process with room calendars switched on: its workers run room jobs, its planner fans out to rooms.
  const ctx: AppContext = { ...env.ctx, config: { ...env.ctx.config, roomCalendars: true } };
  const course = inst.fanOutCourse;
  const institution = inst.institution;
  const plenary = (institution.courseEvents(course) ?? []).filter((e) => e.status_plenary && e.status === 'active');
  const ev = plenary[Math.floor(plenary.length / 3)]!;
  const rooms = institution
    .rooms()
    .filter((r) => !r.videolink)
    .slice(0, 3);
  const t = performance.now();
  await prepareFanOut(b);
  // At L = 0: the occurrence booked in 3 rooms, the rooms mapped and filled, its students brought up to date.
  env.graph.setLatency(0);
  const holders = holdersOf(institution, course, ev.eventid);
  try {
    institution.setRoom(course, ev.eventid, rooms);
    await refreshCourse(ctx.db, ctx.tp, course);
    await replaceRoomMapping(
      ctx.db,
      rooms.map((r) => ({ roomId: r.id, mailbox: `room-${r.id.toLowerCase()}@rooms.bench.no` })),
    );
    const prep = await runPersonJobs(ctx, [...holders, ...rooms.map((r) => roomTargetId(r.id))], 'bench: rooms');
    b.checkJobs('room fan-out preparation', prep);
  } finally {
    env.graph.setLatency(L);
  }
  b.log(`10: preparation took ${secs(performance.now() - t)}`);

  const workers = new BenchWorkers(ctx);
  const planner = new Planner({
    dataSource: ctx.dataSource,
    tp: ctx.tp,
    fs: ctx.fs,
    logger: ctx.logger,
    semesters: ctx.config.semesters,
    roomCalendars: true,
    onEnqueued: () => workers.pool.wakeAll(),
  });
  await workers.start();
  planner.start();
  const m = await (async () => {
    try {
      return await measured(env.graph, async () => {
        moveOccurrence(institution, course, ev.eventid, 60);
        const notificationId = `bench-${randomUUID()}`;
        const t0 = performance.now();
        await storeManualCourseChange(ctx.db, notificationId, course);
        planner.wake();
        while (!(await inboxSettled(ctx.db, notificationId))) await new Promise((r) => setTimeout(r, 10));
        await drained(ctx.db);
        return performance.now() - t0;
      });
    } finally {
      await planner.stop();
      await workers.stop();
    }
  })();
  const ms = m.result;
  const g = m.graph;
  const lowerBound = (g.writes * L) / opts.concurrency;
  const busy = slotUtilisation(env.graph, L, opts.concurrency);
  const expected = holders.length + rooms.length;
  const fanRatio = fan ? fan.ms / ((fan.writes * L) / opts.concurrency) : null;
  await unmapRooms(
    b,
    ctx,
    rooms.map((r) => r.id),
  );
  return {
    id: '10',
    title: 'Course change fan-out with room calendars',
    rows: [
      {
        scenario: `1 TP change of ${courseKey(course)} → ${num(holders.length)} persons + ${rooms.length} rooms`,
        measure: 'time, notification to last write',
        value: secs(ms, 2),
        reference: `lower bound writes × L / ${opts.concurrency} = ${secs(lowerBound, 2)}`,
        ratio: ratio(ms, lowerBound),
        goal: '≤ 1.1×',
        met: ms <= 1.1 * lowerBound,
      },
      {
        scenario: '',
        measure: 'ratio to the lower bound vs scenario 3 (persons only)',
        value: fanRatio === null ? 'n/a' : ratio(ms, lowerBound),
        reference: fanRatio === null ? 'scenario 3 not run' : `scenario 3: ${num(fanRatio, 2)}×`,
      },
      {
        scenario: '',
        measure: 'writes',
        value: num(g.writes),
        reference: `1 update per holder (oracle) and per room = ${num(expected)}`,
        ratio: ratio(g.writes, expected),
        goal: 'exactly 1',
        met: g.writes === expected && g.updates === g.writes,
      },
    ],
    notes: [
      `The moved occurrence is booked in ${rooms.length} mapped rooms; students, lecturers and rooms were synced ` +
        `beforehand at L = 0, so the change is the only difference. From the first Graph request to the end of the ` +
        `last, the 4 Outlook slots were busy ${num(busy * 100, 1)}% of the time.`,
    ],
  };
}

/** Leaves the run as it found it: the rooms unmapped and their events removed (at L = 0, not measured). */
async function unmapRooms(b: BenchContext, ctx: AppContext, roomIds: string[]): Promise<void> {
  const L = b.opts.latencyMs;
  b.env.graph.setLatency(0);
  try {
    await replaceRoomMapping(ctx.db, []);
    b.checkJobs('room unmapping', await runPersonJobs(ctx, roomIds.map(roomTargetId), 'bench: rooms unmapped'));
  } finally {
    b.env.graph.setLatency(L);
  }
}
