import { hostname } from 'node:os';
import type { GraphWriter } from '../graph/writer';
import type { Logger } from '../log/logger';
import { forgetProcess, REPORT_EVERY_MS, saveProcessStats, type ProcessGraphStats } from '../store/processStats';
import type { AppContext } from './context';

/** A process's GraphWriter figures in the form process_stats keeps them. */
export function graphStatsOf(writer: GraphWriter): ProcessGraphStats {
  const s = writer.stats();
  return {
    throttled: s.throttled,
    retryWaitMs: s.retryWaitMs,
    retries: s.retries,
    failed: s.failed,
    pending: writer.pending,
    httpRequests: s.httpRequests,
    writes: { ...s.writes },
  };
}

/**
 * Keeps this process's row in process_stats current while `kada run` runs, so any replica's
 * /api/status can add up all of them; a graceful stop removes the row.
 */
export function startProcessReporter(ctx: AppContext, log: Logger): { stop(): Promise<void> } {
  const report = () =>
    saveProcessStats(ctx.db, {
      processId: ctx.processId,
      hostname: hostname(),
      startedAt: ctx.startedAt,
      graph: graphStatsOf(ctx.writer),
    }).catch((err) => log.warn({ error: (err as Error).message }, 'could not report process stats'));
  void report();
  const timer = setInterval(() => void report(), REPORT_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await forgetProcess(ctx.db, ctx.processId).catch((err) =>
        log.warn({ error: (err as Error).message }, 'could not remove process stats'),
      );
    },
  };
}
