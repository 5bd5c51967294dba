import { DateTime, type WeekdayNumbers } from 'luxon';

/**
 * How TP lays out a semester and writes its times. TP writes local Oslo time with a short offset
 * (`+02`, `+01` after the DST change) and sometimes a space instead of the `T`; the generator
 * mimics both so kada's parser meets them in every test.
 */
export const TP_ZONE = 'Europe/Oslo';

/** Teaching weeks: autumn 34-47 (crosses the end of DST), spring 2-20 (crosses its start). */
export function teachingWeeks(semester: string): { year: number; weeks: number[] } {
  const m = /^(\d{2})([vh])$/.exec(semester);
  if (!m) throw new Error(`not a TP semester code: ${JSON.stringify(semester)}`);
  const [from, to] = m[2] === 'h' ? [34, 47] : [2, 20];
  const weeks: number[] = [];
  for (let w = from; w <= to; w++) weeks.push(w);
  return { year: 2000 + Number(m[1]), weeks };
}

export function occurrenceStart(year: number, week: number, weekday: number, hour: number, minute: number): DateTime {
  return DateTime.fromObject(
    { weekYear: year, weekNumber: week, weekday: weekday as WeekdayNumbers, hour, minute },
    { zone: TP_ZONE },
  );
}

export type TpTimeSeparator = 'T' | ' ';

export function formatTpTime(dt: DateTime, separator: TpTimeSeparator = 'T'): string {
  const local = dt.setZone(TP_ZONE);
  const offset = local.offset;
  const abs = Math.abs(offset);
  const hours = String(Math.floor(abs / 60)).padStart(2, '0');
  const minutes = abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : '';
  const sign = offset < 0 ? '-' : '+';
  return `${local.toFormat('yyyy-MM-dd')}${separator}${local.toFormat('HH:mm:ss')}${sign}${hours}${minutes}`;
}

/** Reads an ISO 8601 instant for the mutation API; TP's own short form is accepted too. */
export function parseInstant(text: string): DateTime {
  const dt = DateTime.fromISO(text.replace(' ', 'T'), { setZone: true });
  if (!dt.isValid) throw new Error(`not an ISO 8601 time: ${JSON.stringify(text)}`);
  return dt;
}

/** TP's activity-time id, e.g. `26H-IN1000-1-2-3-1-1` for group 2-3, first time slot. */
export function activityTimeId(
  semester: string,
  courseId: string,
  version: string,
  actid: string,
  slot: number,
): string {
  return `${semester.toUpperCase()}-${courseId}-${version}-${actid}-${slot}-1`;
}

/** One occurrence of an activity time: `<id>+<week>+<weekday>`. */
export function occurrenceId(activityId: string, week: number, weekday: number): string {
  return `${activityId}+${week}+${weekday}`;
}
