import { roomEvents } from '../desired/roomEvents';
import { roomTargetId } from '../domain/target';
import { courseKey, type CourseRef } from '../domain/types';
import { mailboxProblemOf } from '../graph/mailboxErrors';
import { coursesBookingRoom } from '../store/courses';
import { recordRoomOutcome, roomMailbox } from '../store/rooms';
import { generationFloors, loadState } from '../store/syncedEvents';
import { applyPersonPlan } from './applyPersonPlan';
import { SyncError } from './errors';
import { loadCourses } from './loadCourses';
import type { SyncContext, SyncOptions, SyncResult, Wanted } from './personJob';
import { planRoom, type RoomReading } from './planRoom';
import { readGraphState } from './readGraphState';

/**
 * One room mailbox's sync (ROOM_CALENDARS=on, rooms-ics.md), the person job's three steps for a room:
 * read the mapping, the room's state rows and the stored timetables of the courses booking it; plan
 * (pure, planRoom); apply through the same applier, GraphWriter, deletion guard and state store.
 */

const HOUR = 3_600_000;
const NOTHING: Wanted = { events: [], dataErrors: [], courses: [] };

export async function syncRoom(ctx: SyncContext, roomId: string, opts: SyncOptions = {}): Promise<SyncResult> {
  const target = roomTargetId(roomId);
  try {
    const reading = await readRoom(ctx, roomId, opts);
    const plan = planRoom(reading, ctx.config.institution);
    const result = await applyPersonPlan(ctx, plan, opts);
    if (!opts.dryRun) await recordRoomOutcome(ctx.db, roomId, { eventCount: result.eventCount, error: null });
    return result;
  } catch (err) {
    const problem = mailboxProblemOf(err);
    if (problem) throw new SyncError(problem.code, problem.message, false, target);
    throw err;
  }
}

export async function readRoom(ctx: SyncContext, roomId: string, opts: SyncOptions): Promise<RoomReading> {
  const { db, config } = ctx;
  const target = roomTargetId(roomId);
  const stored = await loadState(db, target);
  const mailbox = await roomMailbox(db, roomId);
  const reading: RoomReading = {
    roomId,
    mailbox,
    stored,
    generations: await generationFloors(db, target),
    wanted: NOTHING,
    graph: null,
  };
  if (!mailbox) return reading;
  // The courses booking the room now, and those it has events of (an occurrence may have moved out).
  const refs = new Map<string, CourseRef>();
  for (const c of [...(await coursesBookingRoom(db, roomId, config.semesters)), ...stored.map((s) => s.course)])
    if (config.semesters.includes(c.semester)) refs.set(courseKey(c), c);
  const settings = { institution: config.institution, timezone: config.timezone, language: config.language };
  const courses = await loadCourses(db, ctx.tp, [...refs.values()], {
    maxAgeMs: opts.courseMaxAgeMs ?? HOUR,
    freshSince: opts.coursesFreshSince,
    settings,
    confirm: { immediate: opts.confirmNow === true, delayMs: config.confirmDelayMs },
  });
  const wanted = roomEvents({ roomId, courses, settings });
  reading.wanted = { events: wanted.events, dataErrors: wanted.errors, courses: [...refs.keys()].sort() };
  if (opts.mode === 'reconcile')
    reading.graph = await readGraphState(ctx, {
      mailbox,
      calendarId: null,
      desired: wanted.events,
      priority: opts.priority ?? 0,
    });
  return reading;
}
