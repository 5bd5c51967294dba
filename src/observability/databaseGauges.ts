import { type PriorityClass, priorityClass } from '../jobs/types';
import type { Queryable } from '../store/queryable';
import { RECONCILE_SUCCEEDED } from '../store/reconcileRuns';
import type { Metrics } from './metrics';

/**
 * The metrics that live in PostgreSQL (queue depth, inbox lag, held deletions, pending wipe-outs, the last
 * successful reconcile). One statement per refresh, each part answered from an index or a small table
 * (no scan of errors, finished jobs or handled inbox rows), and at most one refresh per `cacheMs` however
 * often and however many scrapers ask: concurrent scrapes share the refresh in flight.
 * The values are installation-wide, so every replica exports the same: alerts aggregate them with max().
 */

const SQL = `
  SELECT
    (SELECT COALESCE(json_object_agg(priority, n), '{}')
       FROM (SELECT priority, count(*)::int AS n FROM jobs WHERE state = 'queued' GROUP BY priority) q) AS queued,
    (SELECT count(*)::int FROM jobs WHERE state = 'running') AS running,
    (SELECT count(*)::int FROM inbox WHERE state = 'pending') AS inbox_pending,
    (SELECT EXTRACT(EPOCH FROM now() - min(received_at))::float8 FROM inbox WHERE state = 'pending') AS inbox_lag,
    (SELECT count(*)::int FROM held_deletes WHERE released_at IS NULL) AS held,
    (SELECT COALESCE(json_object_agg(kind, n), '{}')
       FROM (SELECT kind, count(*)::int AS n FROM wipe_sightings GROUP BY kind) w) AS wipes,
    (SELECT EXTRACT(EPOCH FROM max(finished_at))::float8 FROM reconcile_runs WHERE ${RECONCILE_SUCCEEDED})
      AS reconciled`;

/** The queue's classes (jobs/types.ts), in the order of work: a label per class, not per stored value. */
const CLASSES: PriorityClass[] = ['rebuild', 'nearChange', 'change', 'fill', 'fillRest'];

export interface DatabaseGauges {
  /** Refreshes the gauges unless they are younger than cacheMs; never throws (kada_database_up says). */
  refresh(): Promise<void>;
}

export function databaseGauges(
  db: Queryable,
  metrics: Metrics,
  opts: { cacheMs: number; now?: () => number; onError?: (err: Error) => void },
): DatabaseGauges {
  const now = opts.now ?? Date.now;
  let refreshedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | null = null;

  const load = async () => {
    try {
      const [row] = await db.query(SQL);
      apply(metrics, row);
      metrics.databaseUp.set(1);
      refreshedAt = now();
    } catch (err) {
      // The last values stay; a refresh is tried again at the next scrape.
      metrics.databaseUp.set(0);
      opts.onError?.(err as Error);
    }
  };

  return {
    refresh() {
      if (inFlight) return inFlight;
      if (now() - refreshedAt < opts.cacheMs) return Promise.resolve();
      inFlight = load().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}

interface Row {
  queued: Record<string, number>;
  running: number;
  inbox_pending: number;
  inbox_lag: number | null;
  held: number;
  wipes: Record<string, number>;
  reconciled: number | null;
}

function apply(m: Metrics, r: Row): void {
  const queued = Object.entries(r.queued);
  m.jobsByState.set(
    { state: 'queued' },
    queued.reduce((n, [, v]) => n + v, 0),
  );
  m.jobsByState.set({ state: 'running' }, r.running);
  // A priority whose jobs are all gone must read 0, not its last value: start from every named one.
  const byClass = new Map<string, number>(CLASSES.map((c) => [c, 0]));
  for (const [priority, n] of queued) {
    const c = priorityClass(Number(priority));
    byClass.set(c, (byClass.get(c) ?? 0) + n);
  }
  m.jobsQueuedByPriority.reset();
  for (const [c, n] of byClass) m.jobsQueuedByPriority.set({ priority: c }, n);
  m.inboxPending.set(r.inbox_pending);
  m.inboxLag.set(Math.max(0, r.inbox_lag ?? 0));
  m.deletesHeld.set(r.held);
  for (const kind of ['person', 'course']) m.wipesPending.set({ kind }, r.wipes[kind] ?? 0);
  m.reconcileLastSuccess.set(r.reconciled ?? 0);
}
