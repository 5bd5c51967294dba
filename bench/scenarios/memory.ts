import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { prepareCourse } from '../../src/desired/prepareCourse';
import type { ContentSettings } from '../../src/domain/types';
import { generateInstitution } from '../../testkit/institution/institution';
import { enqueuePersons } from '../../src/jobs/enqueue';
import { PRIORITY } from '../../src/jobs/types';
import type { Queryable } from '../../src/store/queryable';
import { refreshCourse } from '../../src/sync/loadCourses';
import type { BenchOptions } from '../benchContext';
import { startBenchEnvironment } from '../environment';
import { graphCounts } from '../graphCounts';
import { repoRoot } from '../repoRoot';
import { mb, num, ratio, secs, type Section } from '../report';

/**
 * 6. Peak RSS of a kada process while the state store holds every person's events and a no-op
 * resync walks all of them. The store is filled in SQL, not through Graph: each course's keys and
 * hashes are computed once with kada's own prepareCourse, then one INSERT ... SELECT joins them with
 * every registration, so each person's rows are exactly what a sync would want (a true no-op).
 * The walk runs in a child process (bench/memoryWalk.ts) so its RSS is kada's alone.
 */
interface WalkResult {
  queued: number;
  ms: number;
  baselineRss: number;
  peakRss: number;
  sampledPeakRss: number;
  heapUsed: number;
}

async function insertRows(db: Queryable, sql: string, columns: unknown[][], chunk = 20_000): Promise<void> {
  const n = columns[0]!.length;
  for (let i = 0; i < n; i += chunk)
    await db.query(
      sql,
      columns.map((c) => c.slice(i, i + chunk)),
    );
}

/** NODE_OPTIONS as the Kubernetes deployment sets them (k8s/base/configmap.yaml), so the walk runs as kada runs. */
export function deployedNodeOptions(): string {
  const file = path.join(repoRoot(), 'k8s', 'base', 'configmap.yaml');
  try {
    const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as { data?: Record<string, string> };
    return doc.data?.NODE_OPTIONS ?? '';
  } catch {
    return '';
  }
}

export async function memory(opts: BenchOptions, log: (m: string) => void): Promise<Section> {
  const semesters = ['26h', '27v'];
  const nodeOptions = process.env.BENCH_MEMORY_NODE_OPTIONS ?? deployedNodeOptions();
  const t0 = performance.now();
  const institution = generateInstitution({
    seed: opts.seed,
    students: opts.memoryPersons,
    semesters,
    institution: 'bench',
    coursesPerStudent: 2,
  });
  const env = await startBenchEnvironment({
    institution,
    latencyMs: opts.latencyMs,
    concurrencyLimit: opts.concurrency,
    databaseUrl: opts.databaseUrl,
    amqpUrl: opts.amqpUrl,
    env: { KADA_WORKERS: String(opts.workers), GRAPH_CONCURRENCY: String(opts.concurrency) },
  });
  try {
    const { ctx } = env;
    const db = ctx.db;
    const settings: ContentSettings = {
      institution: ctx.config.institution,
      timezone: ctx.config.timezone,
      language: ctx.config.language,
    };

    // Each course read through kada's TP client and stored as the planner would; its keys and hashes computed once.
    await db.query(
      `CREATE UNLOGGED TABLE bench_course_events (semester text, course_id text, course_version text, event_key text,
         content_hash text, actid text, plenary boolean)`,
    );
    const ev: unknown[][] = [[], [], [], [], [], [], []];
    for (const sem of semesters) {
      for (const c of institution.courses(sem)) {
        const course = await refreshCourse(db, ctx.tp, c.ref);
        for (const e of prepareCourse(course, settings).events) {
          [
            c.ref.semester,
            c.ref.courseId,
            c.ref.version,
            e.desired.key,
            e.desired.hash,
            e.event.actid,
            e.event.plenary,
          ].forEach((v, i) => ev[i]!.push(v));
        }
      }
    }
    await insertRows(
      db,
      `INSERT INTO bench_course_events SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
         $6::text[], $7::boolean[])`,
      ev,
    );
    // Registrations with their groups, as FS has them.
    const regs: string[][] = [[], [], [], [], [], []];
    for (const s of institution.students()) {
      if (!s.epost) continue;
      for (const sem of semesters) {
        for (const r of institution.registrationsOfPerson(s.personlopenummer, sem)) {
          regs[0]!.push(s.personlopenummer);
          regs[1]!.push(s.epost.toLowerCase());
          regs[2]!.push(sem);
          regs[3]!.push(r.emne.kode);
          regs[4]!.push(r.emne.versjon);
          regs[5]!.push(r.aktiviteter.join(','));
        }
      }
    }
    await db.query(
      `CREATE UNLOGGED TABLE bench_registrations (person_id text, mailbox text, semester text, course_id text,
         course_version text, activities text[])`,
    );
    await insertRows(
      db,
      `INSERT INTO bench_registrations SELECT p, m, s, c, v, string_to_array(a, ',') FROM unnest($1::text[],
         $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(p, m, s, c, v, a)`,
      regs,
    );
    const tInsert = performance.now();
    await db.query(
      `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
         course_version)
       SELECT r.person_id, e.event_key, r.mailbox, 'AAMkbench' || md5(r.person_id || e.event_key), e.content_hash,
         e.semester, e.course_id, e.course_version
         FROM bench_registrations r
         JOIN bench_course_events e ON e.semester = r.semester AND e.course_id = r.course_id AND e.course_version =
           r.course_version
        WHERE e.plenary OR e.actid = ANY(r.activities)
       ON CONFLICT DO NOTHING`,
    );
    await db.query(
      `INSERT INTO mailboxes (mailbox, category_ensured) SELECT DISTINCT mailbox, true FROM bench_registrations ON
         CONFLICT DO NOTHING`,
    );
    const insertMs = performance.now() - tInsert;
    await db.query(`DROP TABLE bench_course_events, bench_registrations`);
    await db.query(`VACUUM ANALYZE synced_events`);
    const [{ rows, persons }] = await db.query(
      `SELECT count(*)::int AS rows, count(DISTINCT person_id)::int AS persons FROM synced_events`,
    );
    const students = institution.students().map((s) => s.personlopenummer);
    await enqueuePersons(db, students, { reason: 'bench: memory walk', priority: PRIORITY.reconcile });
    log(
      `6: state store holds ${num(rows)} rows for ${num(persons)} persons (set up in ` +
        `${secs(performance.now() - t0)}); walking ${num(students.length)} persons in a child process`,
    );

    env.graph.resetStats();
    const walk = await runChild(
      { ...env.env, ...(opts.profileDir ? { BENCH_PROFILE_DIR: path.resolve(opts.profileDir) } : {}) },
      nodeOptions,
    );
    const graph = graphCounts(env.graph.stats());
    const failed = (await db.query(`SELECT count(*)::int AS n FROM jobs WHERE state = 'failed'`))[0].n as number;
    const goal = 400 * 1024 * 1024;
    return {
      id: '6',
      title: 'Memory',
      rows: [
        {
          scenario:
            `${opts.full || opts.memoryPersons >= 30_000 ? 'FULL size' : 'reduced size (--full: 30,000)'}: ` +
            `${num(persons)} persons × ${num(rows / persons, 0)} events in the store`,
          measure: 'peak RSS of the kada process during a no-op walk of everyone',
          value: mb(walk.peakRss),
          reference: `state store ${num(rows)} rows; RSS before the walk ${mb(walk.baselineRss)}`,
          ratio: ratio(walk.peakRss, walk.baselineRss, 1),
          goal: '< 400 MB',
          met: walk.peakRss < goal,
        },
        {
          scenario: '',
          measure: 'Graph writes during the walk',
          value: num(graph.writes),
          reference:
            `${num(walk.queued)} jobs, ${num(failed)} failed, ${secs(walk.ms)} ` +
            `(${num(walk.queued / (walk.ms / 1000), 0)} persons/s)`,
          goal: '0',
          met: graph.writes === 0 && failed === 0,
        },
      ],
      notes: [
        `${num(rows)} synced_events rows made by one INSERT ... SELECT in ${secs(insertMs)}; ` +
          `${semesters.join(' + ')}, 2 courses per semester per student. Peak RSS from getrusage (maxrss) of the ` +
          `child; sampled peak ${mb(walk.sampledPeakRss)}, heap in use at the end ${mb(walk.heapUsed)}.`,
        `The kada process runs with NODE_OPTIONS="${nodeOptions}" as in k8s/base/configmap.yaml, and ` +
          `KADA_WORKERS=${opts.workers}; each job loads only its person's rows (loadState), so the store is never ` +
          `held whole.`,
      ],
    };
  } finally {
    await env.close();
  }
}

function runChild(env: Record<string, string>, nodeOptions: string): Promise<WalkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'memoryWalk.js')], {
      env: { ...process.env, ...env, NODE_OPTIONS: nodeOptions },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`memory walk exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as WalkResult);
      } catch (err) {
        reject(err);
      }
    });
  });
}
