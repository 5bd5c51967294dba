import { createTokenProvider } from '../../src/graph/auth';
import { createGraphClient } from '../../src/graph/graphClient';
import { loadConfig } from '../../src/config/config';
import { startMicrosoftEmulator } from '../../testkit/graph/graphEmulator';
import type { BenchContext } from '../benchContext';
import { graphCounts } from '../graphCounts';
import { NaiveSync } from '../naiveSync';
import { num, ratio, secs, type Section } from '../report';
import type { FanOutFigures } from './fanOut';
import type { FillFigures } from './initialFill';

/**
 * 7. The naive approach (bench/naiveSync.ts) on the same institution, against a Graph emulator of
 * its own with the same latency and limit. It is measured on a sample of the persons of 1 and 3
 * and scaled linearly to their size (its cost is per person: it shares nothing between persons).
 */
export async function naive(b: BenchContext, kada: { fill?: FillFigures; fanOut?: FanOutFigures }): Promise<Section> {
  const { env, inst, opts } = b;
  const ms = await startMicrosoftEmulator({
    latencyMs: opts.latencyMs,
    concurrencyLimit: opts.concurrency,
    seed: inst.institution.seed,
  });
  try {
    const config = loadConfig({ ...env.env, ...ms.env() });
    const client = createGraphClient(config.graph, createTokenProvider(config.graph));
    const settings = { institution: config.institution, timezone: config.timezone, language: config.language };
    const naive = new NaiveSync(
      client,
      { tp: env.ctx.tp, fs: env.ctx.fs },
      settings,
      config.semesters,
      opts.concurrency,
    );
    const withMailbox = (ids: string[]) => ids.filter((id) => inst.institution.person(id)?.epost);

    // Initial fill of a sample of the fill students.
    const fillSample = withMailbox(inst.fill).slice(0, opts.naiveSample);
    ms.graph.resetStats();
    let t0 = performance.now();
    const fillEvents = (await Promise.all(fillSample.map((p) => naive.fill(p)))).reduce((a, n) => a + n, 0);
    const fillMs = performance.now() - t0;
    const fillGraph = graphCounts(ms.graph.stats());

    // A course change for a sample of the fan-out students: filled first (at L = 0), then rewritten.
    const changeSample = withMailbox(inst.cohort).slice(0, opts.naiveSample);
    ms.graph.setLatency(0);
    await Promise.all(changeSample.map((p) => naive.fill(p)));
    ms.graph.setLatency(opts.latencyMs);
    ms.graph.resetStats();
    t0 = performance.now();
    await Promise.all(changeSample.map((p) => naive.rewrite(p)));
    const changeMs = performance.now() - t0;
    const changeGraph = graphCounts(ms.graph.stats());

    const fillScale = kada.fill ? kada.fill.writes / fillEvents : 1;
    const changeScale = kada.fanOut ? kada.fanOut.persons / changeSample.length : 1;
    const scaledFill = { requests: fillGraph.httpRequests * fillScale, ms: fillMs * fillScale };
    const scaledChange = { requests: changeGraph.httpRequests * changeScale, ms: changeMs * changeScale };
    const vs = (label: string, naiveValue: number, kadaValue: number | undefined, fmt: (n: number) => string) => ({
      reference: kadaValue === undefined ? `kada: run 1 and 3 for the comparison` : `kada ${label}: ${fmt(kadaValue)}`,
      ratio: kadaValue === undefined ? undefined : ratio(naiveValue, kadaValue, 1),
    });
    return {
      id: '7',
      title: 'Baseline: the naive approach',
      rows: [
        {
          scenario: kada.fill
            ? `naive initial fill, scaled to 1 (${num(kada.fill.persons)} persons)`
            : `naive initial fill, ${fillSample.length} persons`,
          measure: 'Graph HTTP requests',
          value: num(scaledFill.requests),
          ...vs('(1)', scaledFill.requests, kada.fill?.httpRequests, (n) => num(n)),
        },
        {
          scenario: '',
          measure: 'time',
          value: secs(scaledFill.ms),
          ...vs('(1)', scaledFill.ms, kada.fill?.ms, (n) => secs(n)),
        },
        {
          scenario: kada.fanOut
            ? `naive course change, scaled to 3 (${num(kada.fanOut.persons)} persons)`
            : `naive course change, ${changeSample.length} persons`,
          measure: 'Graph HTTP requests',
          value: num(scaledChange.requests),
          ...vs('(3)', scaledChange.requests, kada.fanOut?.httpRequests, (n) => num(n)),
        },
        {
          scenario: '',
          measure: 'Graph writes',
          value: num(changeGraph.writes * changeScale),
          ...vs('(3)', changeGraph.writes * changeScale, kada.fanOut?.writes, (n) => num(n)),
        },
        {
          scenario: '',
          measure: 'time',
          value: secs(scaledChange.ms),
          ...vs('(3)', scaledChange.ms, kada.fanOut?.ms, (n) => secs(n, 2)),
        },
      ],
      notes: [
        `Measured on ${fillSample.length} fill students (${num(fillEvents)} events, ${num(fillGraph.httpRequests)} ` +
          `requests, ${secs(fillMs)}) and ${changeSample.length} fan-out students (${num(changeGraph.httpRequests)} ` +
          `requests: ${num(changeGraph.writes)} writes + listing, ${secs(changeMs)}), then scaled linearly; ` +
          `${num(fillGraph.throttled + changeGraph.throttled)} answers were 429.`,
        `The naive client is allowed Outlook's 4 concurrent requests, so its initial fill runs at the same physical ` +
          `limit as kada's; what it lacks is batching (one HTTP request per write) and a state store (a change ` +
          `rewrites every event of every affected person, and user notes on them are lost).`,
      ],
    };
  } finally {
    await ms.close();
  }
}
