import { createTokenProvider } from '../../src/graph/auth';
import { createGraphClient } from '../../src/graph/graphClient';
import { GraphWriter, type GraphWrite } from '../../src/graph/writer';
import { occurrencesOf, withoutMailbox } from '../benchInstitution';
import type { BenchContext } from '../benchContext';
import { measured, slotUtilisation } from '../graphCounts';
import { runPersonJobs } from '../jobRun';
import { num, ratio, secs, type Section } from '../report';

/**
 * 1. Initial fill through the real job path, against the physical limit 4/L writes per second;
 * 2. a no-op resync of the same persons, which must write nothing. A calibration run of the bare
 * GraphWriter (no sources, no database) shows what the emulator lets any client reach.
 */
export interface FillFigures {
  ms: number;
  writes: number;
  httpRequests: number;
  persons: number;
  occurrences: number;
}

export async function calibrate(b: BenchContext): Promise<{ writesPerSecond: number; writes: number; ms: number }> {
  const { env } = b;
  const client = createGraphClient(env.config.graph, createTokenProvider(env.config.graph));
  const writer = new GraphWriter({ client, concurrency: env.config.graph.concurrency });
  const n = env.config.graph.concurrency * 20 * 2;
  const start = new Date(Date.UTC(2026, 8, 1, 8));
  const ops: GraphWrite[] = Array.from({ length: n }, (_, i) => ({
    kind: 'create',
    mailbox: 'calibration@bench.invalid',
    calendarId: null,
    key: `calibration-${i}`,
    body: {
      subject: `calibration ${i}`,
      start: { dateTime: new Date(start.getTime() + i * 3_600_000).toISOString().slice(0, 19), timeZone: 'UTC' },
      end: {
        dateTime: new Date(start.getTime() + i * 3_600_000 + 1_800_000).toISOString().slice(0, 19),
        timeZone: 'UTC',
      },
    },
  }));
  const { result, graph } = await measured(env.graph, async () => {
    const t0 = performance.now();
    const results = await writer.writeAll(ops);
    const failed = results.filter((r) => !r.ok).length;
    if (failed) throw new Error(`calibration: ${failed} writes failed`);
    return performance.now() - t0;
  });
  return { writesPerSecond: graph.writes / (result / 1000), writes: graph.writes, ms: result };
}

export async function initialFill(b: BenchContext): Promise<{ sections: Section[]; fill: FillFigures }> {
  const { env, opts, inst } = b;
  const L = opts.latencyMs;
  const limit = opts.concurrency / (L / 1000);
  const cal = await calibrate(b);
  const occurrences = occurrencesOf(inst.institution, inst.fill, inst.semester);

  const { result: run, graph } = await measured(env.graph, () =>
    b.profiler.run('1-initial-fill', () => runPersonJobs(env.ctx, inst.fill, 'bench: initial fill')),
  );
  b.checkJobs('initial fill', run);
  const busy = slotUtilisation(env.graph, L, opts.concurrency);
  const writesPerSecond = graph.writes / (run.ms / 1000);

  const { result: noop, graph: noopGraph } = await measured(env.graph, () =>
    runPersonJobs(env.ctx, inst.fill, 'bench: no-op resync'),
  );
  b.checkJobs('no-op resync', noop);

  const fill: FillFigures = {
    ms: run.ms,
    writes: graph.writes,
    httpRequests: graph.httpRequests,
    persons: inst.fill.length,
    occurrences,
  };
  const s1: Section = {
    id: '1',
    title: 'Initial fill',
    rows: [
      {
        scenario: `initial fill, ${inst.fill.length} persons${withoutMailbox(inst.institution, inst.fill)}`,
        measure: 'event writes / s',
        value: num(writesPerSecond, 1),
        reference:
          `physical limit ${opts.concurrency}/L = ${num(limit, 1)}; bare GraphWriter ` +
          `${num(cal.writesPerSecond, 1)}`,
        ratio: ratio(writesPerSecond, limit),
        goal: '≥ 0.90×',
        met: writesPerSecond >= 0.9 * limit,
      },
      {
        scenario: '',
        measure: '429 answers',
        value: num(graph.throttled),
        reference: `${num(graph.maxConcurrency)} max concurrent Outlook requests (limit ${opts.concurrency})`,
        goal: '0',
        met: graph.throttled === 0,
      },
      {
        scenario: '',
        measure: 'Graph HTTP requests / written event',
        value: num(graph.httpRequests / graph.writes, 3),
        reference: `${num(graph.httpRequests)} requests (${num(graph.batches)} $batch) for ${num(graph.writes)} writes`,
      },
      {
        scenario: '',
        measure: 'written events / occurrences',
        value: `${num(graph.writes)} / ${num(occurrences)}`,
        reference: 'institution oracle (timetableOf)',
        ratio: ratio(graph.writes, occurrences),
        goal: '1.00×',
        met: graph.writes === occurrences,
      },
      {
        scenario: '',
        measure: 'wall time',
        value: secs(run.ms),
        reference: `lower bound writes × L / ${opts.concurrency} = ${secs((graph.writes * L) / opts.concurrency)}`,
        ratio: ratio(run.ms, (graph.writes * L) / opts.concurrency),
      },
    ],
    notes: [
      `L = ${L} ms per Outlook request (each $batch sub-request waits L in turn), ${opts.concurrency} concurrent ` +
        `Outlook requests per app; KADA_WORKERS=${env.config.workers}.`,
      `The bare GraphWriter calibration wrote ${num(cal.writes)} events in ${secs(cal.ms)} with no sources or ` +
        `database: what any client can get from this emulator.`,
      `Outlook requests beyond the event writes (category set-up per mailbox): ` +
        `${num(graph.outlookRequests - graph.writes)}. The 4 Outlook slots were busy ${num(busy * 100, 1)}% of the ` +
        `time from the first request to the end of the last; the rest of the wall time is start-up before the first ` +
        `request.`,
    ],
  };
  const s2: Section = {
    id: '2',
    title: 'No-op resync',
    rows: [
      {
        scenario: `no-op resync, ${inst.fill.length} persons`,
        measure: 'Graph writes',
        value: num(noopGraph.writes),
        reference: `${num(noopGraph.httpRequests)} Graph HTTP requests in all`,
        goal: '0',
        met: noopGraph.writes === 0,
      },
      {
        scenario: '',
        measure: 'wall time',
        value: secs(noop.ms, 2),
        reference: `initial fill ${secs(run.ms)}`,
        ratio: ratio(noop.ms, run.ms, 3),
      },
    ],
    notes: [],
  };
  return { sections: [s1, s2], fill };
}
