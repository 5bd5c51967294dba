import { parseExceptionKey } from '../desired/series';
import type { StoredEvent } from '../store/syncedEvents';
import type { Op, PersonOutcome, PlannedChange, SeriesWork, SyncResult, Wanted } from './personJob';

/** A plan as the person job reports it before writing (what a dry run answers): counts and changes. Pure. */
export function plannedResult(p: {
  personId: string;
  outcome: PersonOutcome;
  mailbox: string | null;
  ops: Op[];
  series: SeriesWork;
  stored: StoredEvent[];
  wanted: Wanted;
}): SyncResult {
  const { ops, series } = p;
  const exceptionChanges: PlannedChange[] = series.exceptions.map((e) => ({
    kind: 'update',
    key: e.key,
    mailbox: p.mailbox ?? '',
    subject: e.content.subject,
    start: e.content.start.dateTime,
    end: e.content.end.dateTime,
  }));
  return {
    personId: p.personId,
    outcome: p.outcome,
    mailbox: p.mailbox,
    planned: {
      creates: ops.filter((o) => o.kind === 'create').length,
      updates: ops.filter((o) => o.kind === 'update').length + series.exceptions.length,
      deletes: ops.filter((o) => o.kind === 'delete').length,
    },
    changes: ops
      .map(
        (o): PlannedChange => ({
          kind: o.kind as PlannedChange['kind'],
          key: o.key,
          mailbox: o.mailbox,
          ...(o.desired
            ? {
                subject: o.desired.content.subject,
                start: o.desired.content.start.dateTime,
                end: o.desired.content.end.dateTime,
              }
            : {}),
        }),
      )
      .concat(exceptionChanges),
    written: { creates: 0, updates: 0, deletes: 0 },
    failed: [],
    // Exceptions are weeks of a series, not events of their own.
    eventCount: p.stored.filter((s) => !parseExceptionKey(s.key)).length,
    dataErrors: p.wanted.dataErrors,
    courses: p.wanted.courses,
  };
}
