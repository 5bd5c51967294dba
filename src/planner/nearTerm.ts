import { parseTpTime } from '../desired/time';
import type { TpEvent } from '../domain/types';
import { NEAR_TERM_DAYS } from '../jobs/types';

/**
 * Whether a TP change of a course touches the next 14 days (service.md "Order of work"), decided from
 * the course's stored copy before the change and TP's answer after it (pure): an event of either that
 * overlaps the window and is not the same in both. It is decided per course, not per person, so a
 * student of another group of the course counts as touched too: cheap, and it errs towards hurrying.
 * With no stored copy (a course kada has not read before), any event in the window counts.
 */
export function touchesNearTerm(before: readonly TpEvent[] | null, after: readonly TpEvent[], now: Date): boolean {
  const from = now.getTime();
  const until = from + NEAR_TERM_DAYS * 86_400_000;
  const inWindow = (events: readonly TpEvent[]) => {
    const out = new Map<string, string>();
    for (const e of events) {
      const start = parseTpTime(e.dtstart)?.toMillis();
      const end = parseTpTime(e.dtend)?.toMillis() ?? start;
      // An unparsable time is rejected by the TP client before it gets here; if one slips by, hurry.
      if (start === undefined || end === undefined || (start < until && end >= from))
        out.set(e.eventid, JSON.stringify(e));
    }
    return out;
  };
  const a = inWindow(before ?? []);
  const b = inWindow(after);
  if (a.size !== b.size) return true;
  for (const [id, json] of a) if (b.get(id) !== json) return true;
  return false;
}
