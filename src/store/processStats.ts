import type { Queryable } from './queryable';

/** One process's Graph figures since it started, as /api/status shows them. */
export interface ProcessGraphStats {
  throttled: number;
  retryWaitMs: number;
  retries: number;
  failed: number;
  /** Writes queued or in flight in that process's GraphWriter. */
  pending: number;
  httpRequests: number;
  writes: { create: number; update: number; delete: number };
}

export interface ProcessStatsRow {
  processId: string;
  hostname: string;
  startedAt: Date;
  updatedAt: Date;
  graph: ProcessGraphStats;
}

/** A process reports every REPORT_EVERY_MS; one silent for LIVE_WINDOW_S is taken for gone (killed, not stopped). */
export const REPORT_EVERY_MS = 15_000;
export const LIVE_WINDOW_S = 60;

export async function saveProcessStats(db: Queryable, row: Omit<ProcessStatsRow, 'updatedAt'>): Promise<void> {
  // Rows of processes that were killed rather than stopped are cleared by the ones still running.
  await db.query(`DELETE FROM process_stats WHERE updated_at < now() - make_interval(secs => $1 * 10)`, [
    LIVE_WINDOW_S,
  ]);
  await db.query(
    `INSERT INTO process_stats (process_id, hostname, started_at, updated_at, graph) VALUES ($1, $2, $3, now(), $4)
     ON CONFLICT (process_id) DO UPDATE SET updated_at = now(), graph = EXCLUDED.graph`,
    [row.processId, row.hostname, row.startedAt, JSON.stringify(row.graph)],
  );
}

export async function forgetProcess(db: Queryable, processId: string): Promise<void> {
  await db.query(`DELETE FROM process_stats WHERE process_id = $1`, [processId]);
}

/** Processes that reported lately. */
export async function liveProcesses(db: Queryable): Promise<ProcessStatsRow[]> {
  const rows: { process_id: string; hostname: string; started_at: Date; updated_at: Date; graph: ProcessGraphStats }[] =
    await db.query(
      `SELECT process_id, hostname, started_at, updated_at, graph FROM process_stats
      WHERE updated_at >= now() - make_interval(secs => $1) ORDER BY process_id`,
      [LIVE_WINDOW_S],
    );
  return rows.map((r) => ({
    processId: r.process_id,
    hostname: r.hostname,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    graph: r.graph,
  }));
}
