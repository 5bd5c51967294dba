import { hostname } from 'node:os';
import { graphStatsOf } from '../app/processReporter';
import type { GraphWriter, GraphWriterStats } from '../graph/writer';
import { jobCounts, queuedByPriority } from '../jobs/jobStatus';
import type { JobState, PriorityClass } from '../jobs/types';
import type { Metrics } from '../observability/metrics';
import { personCounts, type PersonCounts } from '../store/persons';
import { liveProcesses, type ProcessGraphStats } from '../store/processStats';
import type { Queryable } from '../store/queryable';
import { type SafetyReport, safetyReport } from './safetyReport';

/**
 * The operator's overview (`GET /api/status`, the web page, `kada status`): read from the database,
 * so every replica answers the same. Graph throttling adds up every running kada process (each
 * reports to process_stats every 15 s; the answering one counts with its live figures).
 */
export interface StatusReport {
  generatedAt: Date;
  /** `byPriority`: queued jobs per class of the order of work (service.md), most urgent first. */
  queue: Record<JobState, number> & { oldestQueuedSeconds: number | null; byPriority: Record<PriorityClass, number> };
  inbox: { pending: number; lagSeconds: number; failed: number };
  deadLetters: { total: number; last24h: number };
  graph: GraphThrottling | null;
  errors: { last24h: Record<string, number>; total: number };
  persons: PersonCounts;
  /** Held deletions (KADA_DELETE_GUARD) and wipe-outs waiting for a second sighting. */
  safety: SafetyReport;
}

export interface GraphThrottling {
  /** Summed over the kada processes running now, each counted since it started. */
  scope: 'all processes';
  processes: number;
  throttled: number;
  retryWaitSeconds: number;
  pending: number;
  /** The answering process's own writer, when it has one (kada run). */
  writer?: GraphWriterStats;
  perProcess: {
    processId: string;
    hostname: string;
    reportedAt: Date;
    throttled: number;
    retryWaitSeconds: number;
    pending: number;
  }[];
}

function throttling(
  own: { processId: string; graph: ProcessGraphStats; writer: GraphWriterStats } | null,
  others: Awaited<ReturnType<typeof liveProcesses>>,
): GraphThrottling | null {
  const all = [
    ...(own ? [{ processId: own.processId, hostname: hostname(), reportedAt: new Date(), graph: own.graph }] : []),
    ...others
      .filter((r) => r.processId !== own?.processId)
      .map((r) => ({ processId: r.processId, hostname: r.hostname, reportedAt: r.updatedAt, graph: r.graph })),
  ];
  if (all.length === 0) return null;
  const seconds = (ms: number) => Math.round(ms / 100) / 10;
  const sum = (f: (g: ProcessGraphStats) => number) => all.reduce((n, p) => n + f(p.graph), 0);
  return {
    scope: 'all processes',
    processes: all.length,
    throttled: sum((g) => g.throttled),
    retryWaitSeconds: seconds(sum((g) => g.retryWaitMs)),
    pending: sum((g) => g.pending),
    ...(own ? { writer: own.writer } : {}),
    perProcess: all.map((p) => ({
      processId: p.processId,
      hostname: p.hostname,
      reportedAt: p.reportedAt,
      throttled: p.graph.throttled,
      retryWaitSeconds: seconds(p.graph.retryWaitMs),
      pending: p.graph.pending,
    })),
  };
}

export async function collectStatus(
  db: Queryable,
  opts: { writer?: GraphWriter; processId?: string; metrics?: Metrics } = {},
): Promise<StatusReport> {
  const [queue, byPriority, oldest, inbox, dead, errorRows, persons, processes, safety] = await Promise.all([
    jobCounts(db),
    queuedByPriority(db),
    db.query(
      'SELECT EXTRACT(EPOCH FROM now() - min(run_at))::float8 AS s ' +
        "FROM jobs WHERE state = 'queued' AND run_at <= now()",
    ),
    db.query(
      `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
              count(*) FILTER (WHERE state = 'failed')::int AS failed,
              COALESCE(EXTRACT(EPOCH FROM now() - min(received_at) FILTER (WHERE state = 'pending')), 0)::float8 AS lag
         FROM inbox`,
    ),
    db.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE created_at > now() - interval '24 hours')::int AS day
         FROM errors WHERE kind = 'dead_letter'`,
    ),
    db.query(
      `SELECT kind, count(*) FILTER (WHERE created_at > now() - interval '24 hours')::int AS day, count(*)::int AS total
         FROM errors GROUP BY kind ORDER BY kind`,
    ),
    personCounts(db),
    liveProcesses(db),
    safetyReport(db, opts.metrics),
  ]);

  const lag = Math.max(0, Number(inbox[0]?.lag ?? 0));

  const last24h: Record<string, number> = {};
  let total = 0;
  for (const r of errorRows as { kind: string; day: number; total: number }[]) {
    if (r.day) last24h[r.kind] = r.day;
    total += r.total;
  }
  const own = opts.writer
    ? { processId: opts.processId ?? 'this process', graph: graphStatsOf(opts.writer), writer: opts.writer.stats() }
    : null;
  return {
    generatedAt: new Date(),
    queue: {
      ...queue,
      oldestQueuedSeconds:
        oldest[0]?.s === null || oldest[0]?.s === undefined ? null : Math.max(0, Math.round(Number(oldest[0].s))),
      byPriority,
    },
    inbox: { pending: inbox[0]?.pending ?? 0, lagSeconds: Math.round(lag), failed: inbox[0]?.failed ?? 0 },
    deadLetters: { total: dead[0]?.total ?? 0, last24h: dead[0]?.day ?? 0 },
    graph: throttling(own, processes),
    errors: { last24h, total },
    persons,
    safety,
  };
}
