import { occurrenceOf, parseExceptionKey } from '../desired/series';
import { byKey, type DesiredEvent, type EventContent, type SyncPlan, type SyncedEvent } from '../domain/types';

/**
 * A plan split for SERIES_MODE=weekly. Exceptions are not events of their own: they are PATCHes
 * of a master's instances, which exist only once the master does, so they are written after the
 * rest of the plan. A master is never PATCHed: Exchange drops a series' exceptions when its
 * recurrence or times change, so a changed master is deleted and created again and all of its
 * exceptions are written anew.
 */
export interface ExceptionWrite {
  key: string;
  masterKey: string;
  originalDate: string;
  /** The instance to PATCH when known (from the state store); null: look it up by original date. */
  instanceId: string | null;
  content: EventContent;
  /** Recorded with this hash afterwards; null when the week went back to the master's content. */
  desired: DesiredEvent | null;
}

export interface SeriesAwarePlan {
  /** Single events and masters, written first. */
  plan: SyncPlan;
  /** Then the exceptions of masters that exist. */
  exceptions: ExceptionWrite[];
  /** Records of exceptions that went with their master: nothing to write, only to forget. */
  forget: SyncedEvent[];
}

/** Turns a plain diff (where exceptions look like events) into a series-aware one. Pure. */
export function planSeries(
  plan: SyncPlan,
  desired: readonly DesiredEvent[],
  state: readonly SyncedEvent[],
): SeriesAwarePlan {
  const want = new Map(desired.map((d) => [d.key, d]));
  const isException = (key: string) => parseExceptionKey(key) !== null;

  const out: SyncPlan = { creates: [], updates: [], deletes: [] };
  // Masters written anew in this plan: their old instances (and exceptions) are gone.
  const fresh = new Set<string>();
  for (const c of plan.creates) {
    if (isException(c.key)) continue;
    out.creates.push(c);
    if (c.desired.content.recurrence) fresh.add(c.key);
  }
  for (const u of plan.updates) {
    if (isException(u.key)) continue;
    if (u.desired.content.recurrence) {
      out.deletes.push({ kind: 'delete', key: u.key, graphEventId: u.graphEventId });
      out.creates.push({ kind: 'create', key: u.key, desired: u.desired });
      fresh.add(u.key);
    } else out.updates.push(u);
  }
  for (const d of plan.deletes) {
    if (isException(d.key)) continue;
    out.deletes.push(d);
    if (!want.has(d.key)) fresh.add(d.key); // gone for good: nothing of it is left to PATCH
  }

  const exceptions: ExceptionWrite[] = [];
  const forget: SyncedEvent[] = [];
  const written = new Set<string>();
  const set = (d: DesiredEvent, instanceId: string | null) => {
    const { masterKey, originalDate } = d.exceptionOf!;
    written.add(d.key);
    exceptions.push({ key: d.key, masterKey, originalDate, instanceId, content: d.content, desired: d });
  };

  for (const s of state) {
    const ex = parseExceptionKey(s.key);
    if (!ex) continue;
    const d = want.get(s.key);
    if (fresh.has(ex.masterKey) || !want.has(ex.masterKey)) {
      forget.push(s);
      continue;
    }
    if (d?.exceptionOf) {
      if (written.has(d.key))
        forget.push(s); // a duplicate record of the same week
      else if (s.hash !== d.hash) set(d, s.graphEventId);
      else written.add(d.key);
      continue;
    }
    // The week is like the rest of its series again: put the instance back to the master's content.
    const master = want.get(ex.masterKey)!;
    exceptions.push({
      key: s.key,
      masterKey: ex.masterKey,
      originalDate: ex.originalDate,
      instanceId: s.graphEventId,
      content: occurrenceOf(master, ex.originalDate),
      desired: null,
    });
  }
  for (const d of desired) if (d.exceptionOf && !written.has(d.key)) set(d, null);

  out.creates.sort(byKey);
  out.updates.sort(byKey);
  out.deletes.sort(byKey);
  exceptions.sort(byKey);
  return { plan: out, exceptions, forget };
}
