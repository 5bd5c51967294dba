import { createAppContext } from '../src/app/context';
import { loadConfig } from '../src/config/config';
import { silentLogger } from '../src/log/logger';
import { createMetrics } from '../src/observability/metrics';
import { BenchWorkers, drained, pendingJobs } from './jobRun';
import { PhaseProfiler } from './profiler';

/**
 * The kada process of the memory benchmark (6), started by bench/scenarios/memory.ts with kada's
 * env: a WorkerPool walks every queued person once. Its peak RSS is the figure, so nothing else
 * (emulators, the synthetic institution, the bench itself) lives in this process. Prints one JSON
 * line and exits.
 */
async function main() {
  const config = loadConfig(process.env);
  const ctx = await createAppContext(config, { logger: silentLogger, metrics: createMetrics() });
  const rss: number[] = [];
  const trace = process.env.BENCH_MEMORY_TRACE === '1';
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    rss.push(m.rss);
    if (trace)
      process.stderr.write(
        `rss ${(m.rss / 2 ** 20).toFixed(0)} heapUsed ${(m.heapUsed / 2 ** 20).toFixed(0)} heapTotal ` +
          `${(m.heapTotal / 2 ** 20).toFixed(0)} external ${(m.external / 2 ** 20).toFixed(0)} buffers ` +
          `${(m.arrayBuffers / 2 ** 20).toFixed(0)}\n`,
      );
  }, 250);
  const baseline = process.memoryUsage().rss;
  const queued = await pendingJobs(ctx.db);
  const workers = new BenchWorkers(ctx);
  const profiler = new PhaseProfiler(process.env.BENCH_PROFILE_DIR || null);
  const t0 = performance.now();
  await profiler.run('6-memory-walk', async () => {
    await workers.start();
    await drained(ctx.db, 200);
  });
  const ms = performance.now() - t0;
  profiler.close();
  await workers.stop();
  clearInterval(sample);
  const heap = process.memoryUsage();
  await ctx.close();
  process.stdout.write(
    `${JSON.stringify({
      queued,
      ms,
      baselineRss: baseline,
      peakRss: process.resourceUsage().maxRSS * 1024,
      sampledPeakRss: Math.max(baseline, ...rss),
      heapUsed: heap.heapUsed,
      heapTotal: heap.heapTotal,
    })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`memory walk failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
