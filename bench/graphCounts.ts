import type { GraphEmulator, GraphStats } from '../testkit/graph/graphEmulator';

/** Graph's side of a measurement, taken from the emulator's own counters. */
export interface GraphCounts {
  /** Event writes that succeeded (create + update + delete). */
  writes: number;
  creates: number;
  updates: number;
  deletes: number;
  /** HTTP requests as received ($batch counts once). */
  httpRequests: number;
  /** Outlook requests: top-level calls plus every $batch sub-request. */
  outlookRequests: number;
  batches: number;
  throttled: number;
  maxConcurrency: number;
}

export function graphCounts(s: GraphStats): GraphCounts {
  return {
    writes: s.writes.create + s.writes.update + s.writes.delete,
    creates: s.writes.create,
    updates: s.writes.update,
    deletes: s.writes.delete,
    httpRequests: s.requests.total,
    outlookRequests: s.outlookRequests.total,
    batches: s.batches,
    throttled: s.throttled,
    maxConcurrency: s.maxConcurrency,
  };
}

/** Runs `fn` with the emulator's counters reset, and returns them with its result. */
export async function measured<T>(
  graph: GraphEmulator,
  fn: () => Promise<T>,
): Promise<{ result: T; graph: GraphCounts }> {
  graph.resetStats();
  const result = await fn();
  return { result, graph: graphCounts(graph.stats()) };
}

/**
 * How busy the Outlook slots were from the first request of a measurement to the end of its last:
 * the sum of request times (L each; the emulator adds no jitter here) over `concurrency` × that span.
 * 1.0 means no slot was ever idle in between: the run was at the physical limit.
 */
export function slotUtilisation(graph: GraphEmulator, latencyMs: number, concurrency: number): number {
  const log = graph.requestLog();
  if (log.length === 0) return 0;
  const first = Math.min(...log.map((e) => e.at));
  const last = Math.max(...log.map((e) => e.at)) + latencyMs;
  return (log.length * latencyMs) / (concurrency * Math.max(1, last - first));
}
