import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { BenchContext, BenchOptions } from './benchContext';
import { benchInstitution } from './benchInstitution';
import { startBenchEnvironment } from './environment';
import { PhaseProfiler } from './profiler';
import { notes, table, type Section } from './report';
import { coreThroughput } from './scenarios/coreThroughput';
import { deletedItems } from './scenarios/deletedItems';
import { fanOut } from './scenarios/fanOut';
import { icsFeed } from './scenarios/icsFeed';
import { initialFill } from './scenarios/initialFill';
import { latency } from './scenarios/latency';
import { memory } from './scenarios/memory';
import { naive } from './scenarios/naive';
import { roomFanOut } from './scenarios/roomFanOut';
import { recovery } from './scenarios/recovery';
import { orderOfWork } from './scenarios/orderOfWork';
import { series } from './scenarios/series';
import { sharedBudgetScenarios } from './scenarios/sharedBudget';
import type { FanOutFigures } from './scenarios/fanOut';
import type { FillFigures } from './scenarios/initialFill';

/**
 * `npm run bench`: kada against the Graph emulator at Outlook's limits, printed as one table where
 * every figure stands next to its reference from the same run. Figures only, never a failure:
 * benchmarks do not gate CI (and are not part of `npm test`).
 */

function parseOptions(argv: string[]): BenchOptions & { out: string | null } {
  const int = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`not a whole number: ${v}`);
    return n;
  };
  const cmd = new Command('bench')
    .option('--latency <ms>', 'Graph latency L per Outlook request', int, 200)
    .option('--concurrency <n>', 'Outlook concurrent requests per app', int, 4)
    .option('--students <n>', 'students in the initial fill', int, 8)
    .option('--fanout <n>', 'students a course change fans out to (full size: 1000)', int)
    .option('--series <n>', 'students filled with SERIES_MODE=weekly (full size: 100)', int)
    .option('--recovery <n>', 'students in the lost-database drill (full size: 1000)', int)
    .option('--changes <n>', 'notifications in the latency run', int, 20)
    .option('--naive-sample <n>', 'persons the naive baseline is measured on', int, 3)
    .option('--memory-persons <n>', 'persons in the memory run (full size: 30000)', int)
    .option('--memory-events <n>', 'events per person in the memory run', int, 150)
    .option('--core-students <n>', 'students in the pure core run', int, 1000)
    .option('--order-persons <n>', 'persons filled in the order-of-work run (20)', int, 40)
    .option('--workers <n>', 'KADA_WORKERS', int, 16)
    .option('--seed <n>', 'institution seed', int, 7)
    .option('--budget-persons <n>', 'students in the shared-budget runs 16 and 17', int, 100)
    .option('--budget-latency <ms>', 'Graph latency L in run 16 (3 kada run + reconcile --all)', int, 50)
    .option('--full', 'full sizes: fan-out 1000, memory 30,000 persons, 100 series students')
    .option('--only <ids>', 'comma-separated scenario numbers, e.g. 1,3,5')
    .option('--profile <dir>', 'write a CPU profile of each measured phase into <dir>')
    .option('--out <file>', 'write the results as markdown here', 'bench/results.md')
    .option('--no-out', 'do not write a results file');
  cmd.parse(argv, { from: 'user' });
  const o = cmd.opts();
  const full = Boolean(o.full);
  return {
    latencyMs: o.latency,
    concurrency: o.concurrency,
    fill: Math.max(1, o.students),
    fanOut: o.fanout ?? (full ? 1000 : 400),
    series: Math.max(1, o.series ?? (full ? 100 : 16)),
    recovery: Math.max(1, o.recovery ?? (full ? 1000 : 200)),
    changes: Math.max(1, o.changes),
    naiveSample: Math.max(1, o.naiveSample),
    memoryPersons: o.memoryPersons ?? (full ? 30_000 : 2_000),
    memoryEventsPerPerson: o.memoryEvents,
    coreStudents: o.coreStudents,
    orderPersons: Math.max(2, o.orderPersons),
    workers: o.workers,
    seed: o.seed,
    budgetPersons: o.budgetPersons,
    budgetLatencyMs: o.budgetLatency,
    full,
    profileDir: o.profile ?? null,
    only: o.only
      ? new Set(
          String(o.only)
            .split(',')
            .map((s: string) => s.trim()),
        )
      : null,
    databaseUrl: required('DATABASE_URL'),
    amqpUrl: required('AMQP_URL'),
    out: o.out === false ? null : o.out,
  };
}

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run the benchmarks with \`npm run bench\` (scripts/bench.sh starts the services)`,
    );
  return v;
}

function shell(command: string): string | null {
  try {
    return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return null;
  }
}

function machine(): string[] {
  const gb = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
  return [
    `date: ${new Date().toISOString()}`,
    `nproc: ${shell('nproc') ?? os.availableParallelism()} (${os.cpus()[0]?.model ?? 'unknown CPU'})`,
    ...(shell('free -h')?.split('\n') ?? [`memory: ${gb(os.totalmem())} total, ${gb(os.freemem())} free`]),
    `node: ${process.version} on ${os.platform()} ${os.release()}`,
  ];
}

/** Scenarios 1-5 and 7-10 share one environment and institution, in this order (each builds on the last). */
async function mainScenarios(
  opts: BenchOptions,
  wants: (id: string) => boolean,
  log: (m: string) => void,
  warnings: string[],
): Promise<{ sections: Section[] }> {
  const sections: Section[] = [];
  let fill: FillFigures | undefined;
  let fan: FanOutFigures | undefined;
  log(
    `institution: ${opts.fill} fill + ${opts.fanOut} fan-out + ${opts.series} series students; L = ${opts.latencyMs} ` +
      `ms, ${opts.concurrency} concurrent`,
  );
  const inst = benchInstitution({
    seed: opts.seed,
    code: 'bench',
    fill: opts.fill,
    cohort: opts.fanOut,
    series: opts.series,
  });
  const env = await startBenchEnvironment({
    institution: inst.institution,
    latencyMs: opts.latencyMs,
    concurrencyLimit: opts.concurrency,
    databaseUrl: opts.databaseUrl,
    amqpUrl: opts.amqpUrl,
    env: { KADA_WORKERS: String(opts.workers), GRAPH_CONCURRENCY: String(opts.concurrency) },
  });
  const profiler = new PhaseProfiler(opts.profileDir);
  const b: BenchContext = {
    env,
    inst,
    opts,
    profiler,
    log,
    checkJobs(label, run) {
      if (run.jobs.failed) warnings.push(`${label}: ${run.jobs.failed} job(s) failed, e.g. ${run.failures[0] ?? '?'}`);
    },
  };
  try {
    if (wants('1') || wants('2')) {
      log('1-2: initial fill and no-op resync');
      const r = await initialFill(b);
      fill = r.fill;
      sections.push(...r.sections.filter((s) => wants(s.id)));
    }
    if (wants('3')) {
      log(`3: course change fan-out (${opts.fanOut} fan-out students synced first at L = 0)`);
      const r = await fanOut(b);
      fan = r.figures;
      sections.push(r.section);
    }
    if (wants('10')) {
      log('10: course change fan-out to students and 3 room mailboxes (ROOM_CALENDARS=on)');
      sections.push(await roomFanOut(b, fan));
    }
    if (wants('4')) {
      log(`4: notification latency (${opts.changes} changes)`);
      sections.push(await latency(b));
    }
    if (wants('5')) {
      log('5: pure core throughput');
      sections.push(await coreThroughput(b));
    }
    if (wants('7')) {
      log(`7: naive baseline (${opts.naiveSample} persons per sample)`);
      sections.push(await naive(b, { fill, fanOut: fan }));
    }
    if (wants('8')) {
      log(`8: series mode (${opts.series} persons)`);
      sections.push(await series(b, fill));
    }
    if (wants('9')) {
      log(`9: Deleted Items after a semester of TP changes (${opts.fill} + ${opts.series} persons, L = 0)`);
      sections.push(await deletedItems(b));
    }
  } finally {
    profiler.close();
    await env.close();
  }
  return { sections };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const wants = (id: string) => !opts.only || opts.only.has(id);
  const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const warnings: string[] = [];
  const sections: Section[] = [];
  const started = Date.now();
  if (['1', '2', '3', '4', '5', '7', '8', '9', '10'].some(wants)) {
    const r = await mainScenarios(opts, wants, log, warnings);
    sections.push(...r.sections);
  }
  if (['16', '17', '18', '19'].some(wants)) {
    log('16-19: one Graph budget for the installation (issue 16)');
    sections.push(...(await sharedBudgetScenarios(opts, wants, log)));
  }
  if (wants('20')) {
    log(`20: order of work (${opts.orderPersons} persons filled, ${opts.changes} changes)`);
    sections.push(await orderOfWork(opts, log));
  }
  if (wants('6')) {
    log(`6: memory (${opts.memoryPersons} persons)`);
    sections.push(await memory(opts, log));
  }
  if (wants('21')) {
    log(`21: lost-database drill (${opts.recovery} students)`);
    sections.push(await recovery({ ...opts, recoveryStudents: opts.recovery }, log));
  }
  if (wants('22')) {
    log('22: ICS feed response time');
    sections.push(await icsFeed(opts, log));
  }

  const ordered = [...sections].sort((a, b) => Number(a.id) - Number(b.id));
  const text = [
    `# kada benchmark results`,
    '',
    '```',
    ...machine(),
    `command: npm run bench -- ${process.argv.slice(2).join(' ')}`.trimEnd(),
    `total run time: ${((Date.now() - started) / 1000).toFixed(0)} s`,
    '```',
    '',
    table(ordered),
    '',
    notes(ordered),
    ...(warnings.length ? ['**Warnings**', ...warnings.map((w) => `- ${w}`), ''] : []),
  ].join('\n');
  process.stdout.write(`${text}\n`);
  if (opts.out) {
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    fs.writeFileSync(opts.out, `${text}\n`);
    log(`results written to ${opts.out}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
