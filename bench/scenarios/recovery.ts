import { migrate } from '../../src/db/dataSource';
import { OWNER_PROP } from '../../src/domain/markers';
import { reconcileAll } from '../../src/reconcile/reconcileAll';
import { onServer } from '../../testkit/support/scratchDatabase';
import type { BenchOptions } from '../benchContext';
import { benchInstitution } from '../benchInstitution';
import { startBenchEnvironment } from '../environment';
import { graphCounts, measured } from '../graphCounts';
import { runPersonJobs } from '../jobRun';
import { num, ratio, secs, type Section } from '../report';

/**
 * 21. The lost-database drill (docs/runbook.md "Lost database drill") at size: an institution of its own filled through
 * the job path, the database dropped and made again, `kada migrate`, and `reconcile --all` given the
 * course list (the code `kada reconcile --all --courses -` runs). Recovery time per 1,000 persons,
 * next to the fill of the same persons in the same run; recovery should read only and write nothing.
 */
export async function recovery(opts: BenchOptions & { recoveryStudents: number }, log: (m: string) => void) {
  const inst = benchInstitution({
    seed: opts.seed + 9,
    code: 'bench',
    fill: opts.recoveryStudents,
    cohort: 0,
    series: 0,
  });
  const institution = inst.institution;
  const env = await startBenchEnvironment({
    institution,
    latencyMs: opts.latencyMs,
    concurrencyLimit: opts.concurrency,
    databaseUrl: opts.databaseUrl,
    amqpUrl: opts.amqpUrl,
    env: { KADA_WORKERS: String(opts.workers), GRAPH_CONCURRENCY: String(opts.concurrency) },
  });
  try {
    // Everyone FS names in the courses (students and lecturers): the persons a recovery walk finds.
    const persons = [...institution.students(), ...institution.lecturers()].map((p) => p.personlopenummer);
    log(`21: filling ${persons.length} persons`);
    const { result: fill, graph: fillGraph } = await measured(env.graph, () =>
      runPersonJobs(env.ctx, persons, 'bench: recovery fill'),
    );
    const mailboxes = [...institution.students(), ...institution.lecturers()].flatMap((p) =>
      p.epost ? [p.epost.toLowerCase()] : [],
    );
    const kadaEvents = () =>
      mailboxes.map((m) =>
        env.graph
          .events(m)
          .filter((e) => e.extendedProperties[OWNER_PROP])
          .map((e) => e.id)
          .sort()
          .join(','),
      );
    const before = kadaEvents();

    log('21: dropping the database');
    await env.ctx.close();
    await onServer(opts.databaseUrl, `DROP DATABASE ${env.db.name} WITH (FORCE)`);
    await onServer(opts.databaseUrl, `CREATE DATABASE ${env.db.name}`);
    const t0 = performance.now();
    const ctx = await env.createContext();
    await migrate(ctx.dataSource);
    const migrateMs = performance.now() - t0;
    const courses = institution.courses(inst.semester).map((c) => c.ref);
    log(`21: reconcile --all --courses (${courses.length} courses)`);
    env.graph.resetStats();
    const t1 = performance.now();
    const r = await reconcileAll(ctx, { concurrency: opts.workers, courses });
    const reconcileMs = performance.now() - t1;
    const graph = graphCounts(env.graph.stats());
    const gets = env.graph.stats().outlookRequests.byMethod.GET ?? 0;
    const after = kadaEvents();
    const changed = before.filter((ids, i) => ids !== after[i]).length;
    const events = before.reduce((n, ids) => n + (ids ? ids.split(',').length : 0), 0);
    const recoveryMs = migrateMs + reconcileMs;
    const per1000 = (ms: number) => (ms / persons.length) * 1000;
    const section: Section = {
      id: '21',
      title: 'lost-database drill',
      rows: [
        {
          scenario: '9 recovery',
          measure: `drop, migrate, reconcile --all --courses: ${num(r.persons)} persons, ${num(events)} events`,
          value: `${secs(recoveryMs)} (${secs(per1000(recoveryMs))} per 1,000 persons)`,
          reference: `fill of the same persons: ${secs(fill.ms)} (${secs(per1000(fill.ms))} per 1,000)`,
          ratio: ratio(recoveryMs, fill.ms),
        },
        {
          scenario: '9 recovery',
          measure: 'Graph during recovery',
          value: `${num(gets)} reads, ${num(graph.writes)} writes (${num(graph.creates)} creates)`,
          reference: `fill: ${num(fillGraph.writes)} writes, ${num(fillGraph.outlookRequests)} Outlook requests`,
          goal: '0 writes',
          met: graph.writes === 0,
        },
        {
          scenario: '9 recovery',
          measure: 'mailboxes whose kada events differ afterwards (ids)',
          value: num(changed),
          reference: `${num(mailboxes.length)} mailboxes`,
          goal: '0',
          met: changed === 0 && r.failed.length === 0,
        },
      ],
      notes: [
        `Recovery (9): migrate ${secs(migrateMs, 2)}, reconcile ${secs(reconcileMs)} with ${opts.workers} ` +
          `persons at a time; ${num(r.repairs)} repairs, ${num(r.failed.length)} failed persons, ` +
          `${num(r.discovery?.failed.length ?? 0)} failed courses. L = ${opts.latencyMs} ms: a recovery is ` +
          'about one list request per person and 100 events, so it scales with persons × L / 4, not with events.',
      ],
    };
    return section;
  } finally {
    await env.close();
  }
}
