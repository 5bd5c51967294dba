import { z } from 'zod';
import type { CourseRef, TpCourse, TpEvent } from '../domain/types';
import { parseTpTime } from '../desired/time';
import { describeIssue, text } from './schemaParts';

/**
 * TP's course.php response (shared/contracts/tp.md). The envelope must be right or the whole
 * answer is unusable; each event is judged on its own, so one bad occurrence costs only itself.
 * Optional text fields are read leniently (missing or null = empty); unknown fields are dropped.
 */

const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const optionalNumber = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .nullish()
  .transform((v) => v ?? undefined);
const flag = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
  .nullish()
  .transform((v) => v ?? false);
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v) => (v ?? []) as z.output<T>[]);

export const tpStaffSchema = z.object({
  id: z.string(),
  firstname: text,
  lastname: text,
  shortname: optionalText,
  url: optionalText,
});

export const tpRoomSchema = z.object({
  id: text,
  roomid: optionalText,
  roomname: text,
  roomurl: optionalText,
  buildingid: optionalText,
  buildingname: optionalText,
  buildingacronym: optionalText,
  campusid: optionalText,
  videolink: z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
});

export const tpEventSchema = z.object({
  eventid: z.string().trim().min(1),
  id: optionalText,
  actid: text,
  courseid: optionalText,
  courseversion: optionalText,
  semesterid: optionalText,
  dtstart: z.string(),
  dtend: z.string(),
  'teaching-title': text,
  summary: text,
  'teaching-method': text,
  'teaching-method-name': text,
  status_plenary: flag,
  status: text,
  staffs: list(tpStaffSchema),
  room: list(tpRoomSchema),
  weeknr: optionalNumber,
  weekday: optionalNumber,
  tags: list(z.string()),
});

export const tpEnvelopeSchema = z.object({
  courseid: optionalText,
  coursename: text,
  courseversion: optionalText,
  semesterid: optionalText,
  events: list(z.unknown()),
});

export type TpEnvelope = z.output<typeof tpEnvelopeSchema>;
type TpRejection = TpCourse['rejected'][number];

/** Validates one raw event; the reason names what is wrong, for the course's data errors. */
export function validateTpEvent(raw: unknown, ref: CourseRef): { event: TpEvent } | { rejected: TpRejection } {
  const eventid = rawEventId(raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { rejected: { eventid, reason: 'event is not an object' } };
  if (eventid === null) return { rejected: { eventid, reason: 'missing eventid' } };
  const parsed = tpEventSchema.safeParse(raw);
  if (!parsed.success) return { rejected: { eventid, reason: `invalid ${describeIssue(parsed.error, 'event')}` } };
  const e = parsed.data;
  const start = parseTpTime(e.dtstart);
  if (!start) return { rejected: { eventid, reason: `unparsable dtstart ${JSON.stringify(e.dtstart)}` } };
  const end = parseTpTime(e.dtend);
  if (!end) return { rejected: { eventid, reason: `unparsable dtend ${JSON.stringify(e.dtend)}` } };
  if (end.toMillis() < start.toMillis())
    return { rejected: { eventid, reason: `dtend ${e.dtend} is before dtstart ${e.dtstart}` } };
  return {
    event: {
      eventid: e.eventid,
      // Older TP answers lack `id`; the occurrence id is `<id>+<week>+<weekday>`, so it can be recovered.
      id: e.id ?? e.eventid.split('+')[0]!,
      actid: e.actid,
      courseid: e.courseid ?? ref.courseId,
      courseversion: e.courseversion ?? ref.version,
      semesterid: e.semesterid ?? ref.semester,
      dtstart: e.dtstart,
      dtend: e.dtend,
      title: e['teaching-title'],
      summary: e.summary,
      teachingMethod: e['teaching-method'],
      teachingMethodName: e['teaching-method-name'],
      plenary: e.status_plenary,
      cancelled: e.status === 'cancelled',
      staffs: e.staffs.map((s) => withoutUndefined(s)),
      rooms: e.room.map((r) => withoutUndefined(r)),
      ...(e.weeknr !== undefined ? { weeknr: e.weeknr } : {}),
      ...(e.weekday !== undefined ? { weekday: e.weekday } : {}),
      tags: e.tags,
    },
  };
}

/** Splits raw events into valid ones and rejections; a repeated eventid keeps its first occurrence. */
export function validateTpEvents(rawEvents: unknown[], ref: CourseRef): Pick<TpCourse, 'events' | 'rejected'> {
  const events: TpEvent[] = [];
  const rejected: TpRejection[] = [];
  const seen = new Set<string>();
  for (const raw of rawEvents) {
    const result = validateTpEvent(raw, ref);
    if ('rejected' in result) rejected.push(result.rejected);
    else if (seen.has(result.event.eventid))
      rejected.push({ eventid: result.event.eventid, reason: 'duplicate eventid' });
    else {
      seen.add(result.event.eventid);
      events.push(result.event);
    }
  }
  return { events, rejected };
}

function rawEventId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = (raw as { eventid?: unknown }).eventid;
  return typeof id === 'string' && id.trim() !== '' ? id.trim() : null;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
