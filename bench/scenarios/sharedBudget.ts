import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createTokenProvider } from '../../src/graph/auth';
import { createGraphClient } from '../../src/graph/graphClient';
import { GraphWriter } from '../../src/graph/writer';
import { enqueuePersons } from '../../src/jobs/enqueue';
import { PRIORITY } from '../../src/jobs/types';
import { refreshCourse } from '../../src/sync/loadCourses';
import { generateInstitution, type Institution } from '../../testkit/institution/institution';
import { freePort } from '../../testkit/support/kadaProcess';
import type { BenchOptions } from '../benchContext';
import { type BenchEnvironment, startBenchEnvironment } from '../environment';
import { drained, runPersonJobs } from '../jobRun';
import { num, ratio, secs, type Section } from '../report';

/**
 * Issue 16: one Outlook budget for the whole installation.
 * 16 (a): 3 `kada run` processes and a concurrent `kada reconcile --all` fill >= 100 persons against a
 *   Graph emulator enforcing 4 concurrent requests: peak in flight, 429s and writes/s vs 4/L.
 * 17 (d): GRAPH_CONCURRENCY_SCOPE=mailbox, GRAPH_CONCURRENCY=32, the emulator enforcing 4 per mailbox
 *   and 32 overall: writes/s vs 32/L.
 * 18 (e): a projection for 30,000 persons x 162 events from the rates measured in (a) and (d).
 * 19 (f): the initial fill of 40 students x 3 courses at L = 50 ms and at L = 200 ms, with where the time goes.
 */

const CLI = path.resolve(__dirname, '../../src/cli/main.js');
const SEMESTER = '26h';

interface Span {
  writes: number;
  outlook: number;
  ms: number;
}

/** Writes and Outlook requests from the first request to the end of the last (the emulator's log). */
function span(env: BenchEnvironment, latencyMs: number): Span {
  const log = env.graph.requestLog();
  const s = env.graph.stats();
  if (log.length === 0) return { writes: 0, outlook: 0, ms: 1 };
  const first = Math.min(...log.map((e) => e.at));
  const last = Math.max(...log.map((e) => e.at)) + latencyMs;
  return {
    writes: s.writes.create + s.writes.update + s.writes.delete,
    outlook: s.outlookRequests.total,
    ms: last - first,
  };
}

function institutionOf(opts: BenchOptions, students: number, coursesPerStudent: number): Institution {
  return generateInstitution({
    seed: opts.seed,
    students,
    semesters: [SEMESTER],
    institution: 'bench',
    coursesPerStudent,
  });
}

function spawnKada(env: Record<string, string>, args: string[]): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const done = new Promise<number>((r) => child.once('exit', (code) => r(code ?? 1)));
  return { child, done };
}

/** The share of each person's events that start within 14 days of the semester's first teaching day. */
function nearShare(inst: Institution, personIds: string[]): number {
  const starts: number[] = [];
  const perPerson: number[][] = [];
  for (const id of personIds) {
    // TP's offsets are `+02`, which neither Date.parse nor luxon reads: made `+02:00`.
    const mine = inst
      .timetableOf(id, SEMESTER)
      .map((t) => Date.parse(inst.event(t.course, t.eventid)!.dtstart.replace(/([+-]\d\d)$/, '$1:00')));
    perPerson.push(mine);
    starts.push(...mine);
  }
  const first = Math.min(...starts);
  const near = perPerson.reduce((n, m) => n + m.filter((t) => t < first + 14 * 86_400_000).length, 0);
  return near / Math.max(1, starts.length);
}

export interface BudgetFigures {
  appRate: number;
  appRatio: number;
  mailboxRatio: number;
  nearShare: number;
}

/** 16 (a): three replicas and a reconcile run share one budget of 4. */
async function acrossProcesses(opts: BenchOptions, log: (m: string) => void): Promise<{ section: Section; s: Span }> {
  const L = opts.budgetLatencyMs;
  const inst = institutionOf(opts, opts.budgetPersons, 1);
  const env = await startBenchEnvironment({
    institution: inst,
    latencyMs: L,
    concurrencyLimit: 4,
    databaseUrl: opts.databaseUrl,
    amqpUrl: opts.amqpUrl,
    env: { GRAPH_CONCURRENCY: '4', KADA_WORKERS: '8' },
  });
  const children: ChildProcess[] = [];
  try {
    const tag = `bench-budget-${process.pid}-${Date.now() % 100_000}`;
    const kadaEnv = { ...env.env, AMQP_QUEUE: tag, AMQP_BINDINGS: `${tag}:no.bench.#`, LOG_LEVEL: 'error' };
    // The courses kada knows (as `enqueue-course -` leaves them), so reconcile --all can discover their persons.
    for (const c of inst.courses(SEMESTER)) await refreshCourse(env.ctx.db, env.ctx.tp, c.ref);
    const persons = [...inst.students(), ...inst.lecturers()].filter((p) => p.epost).map((p) => p.personlopenummer);
    env.graph.resetStats();
    for (let i = 0; i < 3; i++) {
      const k = spawnKada({ ...kadaEnv, PORT: String(await freePort()) }, ['run']);
      children.push(k.child);
    }
    const t0 = performance.now();
    // At fill priority, as kada queues persons it has not synced yet (src/planner/queueChange.ts).
    await enqueuePersons(env.ctx.db, persons, { reason: 'bench: fill', priority: PRIORITY.fill });
    const rec = spawnKada({ ...kadaEnv, KADA_WORKERS: '16' }, ['reconcile', '--all']);
    children.push(rec.child);
    log(`16: 3 x kada run + reconcile --all filling ${persons.length} persons at L = ${L} ms`);
    const recCode = await rec.done;
    await drained(env.ctx.db, 50);
    const ms = performance.now() - t0;
    const s = span(env, L);
    const g = env.graph.stats();
    const limit = 4 / (L / 1000);
    const rate = s.writes / (s.ms / 1000);
    const requests = s.outlook / (s.ms / 1000);
    const [{ n: failed }] = await env.ctx.db.query(`SELECT count(*)::int AS n FROM jobs WHERE state = 'failed'`);
    const section: Section = {
      id: '16',
      title: 'One Graph budget across processes (issue 16 a)',
      rows: [
        {
          scenario: `3 × kada run + reconcile --all, ${persons.length} persons, L = ${L} ms`,
          measure: 'peak Outlook requests in flight (emulator)',
          value: num(g.maxConcurrency),
          reference: 'GRAPH_CONCURRENCY = 4 for the installation',
          goal: '≤ 4',
          met: g.maxConcurrency <= 4,
        },
        {
          scenario: '',
          measure: '429 answers',
          value: num(g.throttled),
          reference: 'emulator enforces 4',
          goal: '0',
          met: g.throttled === 0,
        },
        {
          scenario: '',
          measure: 'Outlook requests / s (writes + reads + categories)',
          value: num(requests, 1),
          reference: `4/L = ${num(limit, 1)}`,
          ratio: ratio(requests, limit),
          goal: '≥ 0.90×',
          met: requests >= 0.9 * limit,
        },
        {
          scenario: '',
          measure: 'of them event writes / s',
          value: num(rate, 1),
          reference: `4/L = ${num(limit, 1)}; at most ${num(s.writes / s.outlook, 3)}× with every slot busy`,
          ratio: ratio(rate, limit),
        },
      ],
      notes: [
        `${num(s.writes)} writes and ${num(s.outlook)} Outlook requests in ${secs(s.ms)} from the first request to ` +
          `the end of the last (${secs(ms)} from enqueue to the last job); reconcile --all exit code ${recCode} ` +
          `(KADA_WORKERS 16, the CronJob's default); ${failed} failed job(s).`,
        "4/L is Outlook's limit on requests, so the goal is on requests: the walk reads every person back and each " +
          'new mailbox gets its categories, and those requests take the same slots as the writes.',
      ],
    };
    return { section, s };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    await env.close();
  }
}

/** 17 (d): the per-mailbox reading with a cap of 32. */
async function mailboxScope(opts: BenchOptions, log: (m: string) => void): Promise<{ section: Section; rate: number }> {
  const L = opts.latencyMs;
  const inst = institutionOf(opts, opts.budgetPersons, 1);
  const env = await startBenchEnvironment({
    institution: inst,
    latencyMs: L,
    concurrencyLimit: 32,
    databaseUrl: opts.databaseUrl,
    amqpUrl: opts.amqpUrl,
    // Two job loops per slot, as docs/deploying.md advises for this scope: half of the loops take only changes,
    // and a job often holds one slot (set-up, or its mailbox at 4) while 32 are to be kept busy.
    env: { GRAPH_CONCURRENCY: '32', GRAPH_CONCURRENCY_SCOPE: 'mailbox', KADA_WORKERS: '64' },
  });
  try {
    env.graph.setConcurrencyLimit(32, 4);
    const persons = inst
      .students()
      .filter((p) => p.epost)
      .map((p) => p.personlopenummer);
    log(`17: GRAPH_CONCURRENCY_SCOPE=mailbox, 32 overall, ${persons.length} persons at L = ${L} ms`);
    env.graph.resetStats();
    const run = await runPersonJobs(env.ctx, persons, 'bench: mailbox scope');
    const s = span(env, L);
    const g = env.graph.stats();
    const limit = 32 / (L / 1000);
    const rate = s.writes / (s.ms / 1000);
    return {
      rate,
      section: {
        id: '17',
        title: 'GRAPH_CONCURRENCY_SCOPE=mailbox (issue 16 d)',
        rows: [
          {
            scenario: `${persons.length} persons, 4 per mailbox, 32 overall, L = ${L} ms`,
            measure: 'event writes / s',
            value: num(rate, 1),
            reference: `32/L = ${num(limit, 1)}`,
            ratio: ratio(rate, limit),
            goal: '≥ 0.85×',
            met: rate >= 0.85 * limit,
          },
          {
            scenario: '',
            measure: '429 answers',
            value: num(g.throttled),
            reference: `peak ${g.maxConcurrency} in flight, ${g.maxMailboxConcurrency} in one mailbox`,
            goal: '0',
            met: g.throttled === 0,
          },
        ],
        notes: [
          `${num(s.writes)} writes in ${secs(s.ms)} from the first Outlook request to the end of the last ` +
            `(${secs(run.ms)} from enqueue to the last job; ${run.jobs.failed} failed). ` +
            'KADA_WORKERS=64 in one process (two job loops per slot, docs/deploying.md).',
        ],
      },
    };
  } finally {
    await env.close();
  }
}

/** 19 (f): 40 students x 3 courses at two latencies, with a breakdown of the time. */
async function fillAt(opts: BenchOptions, L: number, log: (m: string) => void, local = false) {
  const inst = institutionOf(opts, 40, 3);
  const env = await startBenchEnvironment({
    institution: inst,
    latencyMs: L,
    concurrencyLimit: 4,
    databaseUrl: opts.databaseUrl,
    amqpUrl: opts.amqpUrl,
    env: { GRAPH_CONCURRENCY: '4', KADA_WORKERS: String(opts.workers) },
  });
  try {
    const persons = inst
      .students()
      .filter((p) => p.epost)
      .map((p) => p.personlopenummer);
    log(
      `19: initial fill of ${persons.length} students x 3 courses at L = ${L} ms` +
        (local ? ', process-local slots' : ''),
    );
    // The same-run baseline: a writer with this process's own 4 slots, as before the shared budget.
    const g0 = env.config.graph;
    const writer = local
      ? new GraphWriter({
          client: createGraphClient(g0, createTokenProvider(g0)),
          concurrency: 4,
          timeoutMs: g0.timeoutMs,
        })
      : env.ctx.writer;
    env.graph.resetStats();
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const run = await runPersonJobs({ ...env.ctx, writer }, persons, 'bench: fill');
    const cpu = process.cpuUsage(cpu0);
    const log0 = env.graph.requestLog();
    const firstAt = Math.min(...log0.map((e) => e.at));
    const s = span(env, L);
    const g = env.graph.stats();
    const limit = 4 / (L / 1000);
    const rate = s.writes / (run.ms / 1000);
    return {
      L,
      local,
      rate,
      limit,
      startMs: firstAt - t0,
      busy: (s.outlook * L) / (4 * s.ms),
      setup: s.outlook - s.writes,
      cpuShare: (cpu.user + cpu.system) / 1000 / run.ms,
      ms: run.ms,
      writes: s.writes,
      throttled: g.throttled,
      leaseCalls: local ? 0 : env.ctx.graphBudget?.stats().leaseCalls,
    };
  } finally {
    await env.close();
  }
}

export async function sharedBudgetScenarios(
  opts: BenchOptions,
  wants: (id: string) => boolean,
  log: (m: string) => void,
): Promise<Section[]> {
  const sections: Section[] = [];
  let a: Span | null = null;
  let mailboxRate: number | null = null;
  if (wants('16') || wants('18')) {
    const r = await acrossProcesses(opts, log);
    a = r.s;
    if (wants('16')) sections.push(r.section);
  }
  if (wants('17') || wants('18')) {
    const r = await mailboxScope(opts, log);
    mailboxRate = r.rate;
    if (wants('17')) sections.push(r.section);
  }
  if (wants('18') && a && mailboxRate !== null) sections.push(projection(opts, a, mailboxRate));
  if (wants('19')) {
    const runs = [await fillAt(opts, 50, log, true), await fillAt(opts, 50, log), await fillAt(opts, 200, log)];
    sections.push({
      id: '19',
      title: 'Initial fill at L = 50 and 200 ms (issue 16 f)',
      rows: runs.map((r) => ({
        scenario: `40 students × 3 courses, L = ${r.L} ms${r.local ? ', baseline: process-local slots' : ''}`,
        measure: 'event writes / s',
        value: num(r.rate, 1),
        reference: `4/L = ${num(r.limit, 1)}; ${num(r.writes)} writes in ${secs(r.ms)}`,
        ratio: ratio(r.rate, r.limit),
        goal: r.local ? undefined : '≥ 0.90×',
        met: r.local ? undefined : r.rate >= 0.9 * r.limit,
      })),
      notes: runs.map(
        (r) =>
          `L = ${r.L} ms${r.local ? ' (process-local slots)' : ''}: ${secs(r.startMs, 2)} before the first ` +
          'Outlook request (token, FS/TP reads, first job); ' +
          `slots busy ${num(r.busy * 100, 1)}% from the first request to the end of the last; ${num(r.setup)} ` +
          `Outlook requests besides event writes (category set-up per mailbox); the bench process used ` +
          `${num(r.cpuShare * 100, 0)}% of one core over the fill (kada, PostgreSQL client and the emulators ` +
          'share it); ' +
          `${r.leaseCalls ?? 'n/a'} budget lease calls to PostgreSQL; ${r.throttled} × 429.`,
      ),
    });
  }
  return sections;
}

/** 18 (e): 30,000 persons x 162 events from the measured ratios, at L = 200 ms. */
function projection(opts: BenchOptions, a: Span, mailboxRate: number): Section {
  const writes = 30_000 * 162;
  const inst = institutionOf(opts, 200, 4);
  const share = nearShare(
    inst,
    inst.students().map((s) => s.personlopenummer),
  );
  const appRatio = a.writes / (a.ms / 1000) / (4 / (opts.budgetLatencyMs / 1000));
  const mbRatio = mailboxRate / (32 / (opts.latencyMs / 1000));
  const appRate = appRatio * (4 / 0.2);
  const mbRate = mbRatio * (32 / 0.2);
  const h = (n: number, rate: number) => `${num(n / rate / 3600, 1)} h`;
  return {
    id: '18',
    title: 'Projection: 30,000 persons × 162 events (issue 16 e)',
    rows: [
      {
        scenario: 'app scope (4 per app), L = 200 ms',
        measure: 'hours to next 14 days / to all',
        value: `${h(writes * share, appRate)} / ${h(writes, appRate)}`,
        reference: `${num(appRate, 1)} writes/s (measured ${num(appRatio, 2)}× of 4/L in 16)`,
      },
      {
        scenario: 'mailbox scope (4 per mailbox, 32 overall), L = 200 ms',
        measure: 'hours to next 14 days / to all',
        value: `${h(writes * share, mbRate)} / ${h(writes, mbRate)}`,
        reference: `${num(mbRate, 1)} writes/s (measured ${num(mbRatio, 2)}× of 32/L in 17)`,
      },
    ],
    notes: [
      `${num(writes)} writes; ${num(share * 100, 1)}% of a person's events fall in the first 14 days of the semester ` +
        '(the synthetic institution, 4 courses per student). "Next 14 days" assumes near-term-first ordering of the ' +
        "fill (every person's next 14 days before anyone's later weeks), so it is that share of the writes at the " +
        'same rate. Real Graph latency varies; the figures scale with L.',
    ],
  };
}
