import { randomBytes, randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { startService } from '../../src/app/runService';
import { loadConfig } from '../../src/config/config';
import { eventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import { KEY_PROP } from '../../src/domain/markers';
import type { CourseRef } from '../../src/domain/types';
import { deadLetterQueue } from '../../src/intake/deadLetter';
import { enqueuePerson } from '../../src/jobs/enqueue';
import { PRIORITY } from '../../src/jobs/types';
import { silentLogger } from '../../src/log/logger';
import { createMetrics } from '../../src/observability/metrics';
import type { Queryable } from '../../src/store/queryable';
import { refreshCourse } from '../../src/sync/loadCourses';
import type { BenchContext } from '../benchContext';
import { BenchWorkers, drained, runPersonJobs } from '../jobRun';
import { millis, num, ratio, type Section } from '../report';
import { moveOccurrence } from './fanOut';

/**
 * 4. Notification → calendar latency for one person on an idle system: a real TP notification is
 * published to RabbitMQ and `kada run`'s parts (startService: consumer, inbox, planner, workers)
 * carry it to the person's mailbox. The clock stops when the Graph emulator has applied the write.
 * Reference: the same changes without broker and planner (refresh the course, enqueue the person).
 */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

async function quiet(db: Queryable): Promise<void> {
  for (;;) {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM inbox WHERE state = 'pending'`);
    if (n === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  await drained(db);
}

export async function latency(b: BenchContext): Promise<Section> {
  const { env, inst, opts } = b;
  const { institution } = inst;
  const course: CourseRef = inst.latencyCourse;
  const person = institution.person(inst.latencyPerson)!;
  const mailbox = person.epost!.toLowerCase();
  const lecturers = institution.course(course)!.lecturerIds;

  // Idle system: the person and everyone the course's notification reaches are in step already.
  env.graph.setLatency(0);
  try {
    await refreshCourse(env.ctx.db, env.ctx.tp, course);
    b.checkJobs(
      'latency preparation',
      await runPersonJobs(env.ctx, [person.personlopenummer, ...lecturers], 'bench: latency preparation'),
    );
  } finally {
    env.graph.setLatency(opts.latencyMs);
  }
  const group = institution
    .registrationsOfPerson(person.personlopenummer, course.semester)
    .find((r) => r.emne.kode === course.courseId)!.aktiviteter[0]!;
  const events = (institution.courseEvents(course) ?? [])
    .filter((e) => e.actid === group)
    .sort((a, b2) => a.weeknr - b2.weeknr);
  const idOf = new Map(env.graph.events(mailbox).map((e) => [e.extendedProperties[KEY_PROP], e.id]));

  /** Moves the i-th occurrence by 15 minutes, runs `deliver`, and times until the mailbox shows it. */
  const change = async (i: number, deliver: () => Promise<void>): Promise<number> => {
    const ev = events[i % events.length]!;
    moveOccurrence(institution, course, ev.eventid, 15);
    const want = new Date(parseTpTime(institution.event(course, ev.eventid)!.dtstart)!.toMillis()).toISOString();
    const graphId = idOf.get(eventKey(course, ev.eventid));
    if (!graphId) throw new Error(`latency: ${eventKey(course, ev.eventid)} is not in ${mailbox}`);
    const before = env.graph.stats().writes.update;
    const t0 = performance.now();
    await deliver();
    const deadline = Date.now() + 60_000;
    while (env.graph.stats().writes.update === before) {
      if (Date.now() > deadline) throw new Error('latency: the change never reached the mailbox');
      await new Promise((r) => setTimeout(r, 2));
    }
    const ms = performance.now() - t0;
    const seen = env.graph.event(mailbox, graphId)?.startUtc;
    if (seen !== want) throw new Error(`latency: ${mailbox} shows ${seen}, TP says ${want}`);
    await quiet(env.ctx.db);
    await new Promise((r) => setTimeout(r, 300)); // idle between changes
    return ms;
  };

  // Full path: RabbitMQ → consumer → inbox → planner → job → Graph, on a queue and exchange of its own.
  const tag = randomBytes(4).toString('hex');
  const exchange = `bench_tp_${tag}`;
  const queue = `kada-bench-${tag}`;
  const routingKey = `no.${env.config.institution}.tp.TP-bench.courses.update`;
  const service = await startService(
    loadConfig({ ...env.env, AMQP_QUEUE: queue, AMQP_BINDINGS: `${exchange}:no.${env.config.institution}.tp.#` }),
    {
      logger: silentLogger,
      metrics: createMetrics(),
      // The admin HTTP server plays no part in the path being timed.
      startAdmin: async () => ({ url: '(not started)', close: async () => undefined }),
    },
  );
  const connection = await amqp.connect(opts.amqpUrl);
  const channel = await connection.createConfirmChannel();
  const full: number[] = [];
  try {
    for (let tries = 0; !service.consumer.isConnected(); tries++) {
      if (tries > 500) throw new Error('latency: the consumer did not connect to RabbitMQ');
      await new Promise((r) => setTimeout(r, 20));
    }
    const publish = async () => {
      const body = {
        sub: `courses/${course.courseId},${course.version}/${course.semester}`,
        iss: 'TP-bench',
        iat: String(Date.now()),
        operation: 'update',
        jti: randomUUID(),
        course_id: course.courseId,
        course_version: course.version,
        semester: course.semester,
      };
      channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        contentType: 'application/json',
      });
      await channel.waitForConfirms();
    };
    await change(opts.changes, publish); // warm-up, not counted
    await b.profiler.run('4-latency', async () => {
      for (let i = 0; i < opts.changes; i++) full.push(await change(i, publish));
    });
  } finally {
    await service.stop();
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.deleteQueue(deadLetterQueue(queue)).catch(() => undefined);
    await channel.deleteExchange(exchange).catch(() => undefined);
    await connection.close().catch(() => undefined);
  }

  // Reference: the job path alone (what the planner does after its debounce, without the broker).
  const direct: number[] = [];
  const workers = new BenchWorkers(env.ctx);
  await workers.start();
  try {
    const enqueue = async () => {
      await refreshCourse(env.ctx.db, env.ctx.tp, course);
      await enqueuePerson(env.ctx.db, person.personlopenummer, {
        reason: 'bench: latency reference',
        priority: PRIORITY.notification,
      });
      workers.pool.wakeAll();
    };
    const n = Math.min(10, opts.changes);
    for (let i = 0; i < n; i++) direct.push(await change(opts.changes + 1 + i, enqueue));
  } finally {
    await workers.stop();
  }

  full.sort((x, y) => x - y);
  direct.sort((x, y) => x - y);
  const debounce = env.config.plannerDebounceMs;
  return {
    id: '4',
    title: 'Notification → calendar latency',
    rows: [
      {
        scenario: `${full.length} TP notifications via RabbitMQ, 1 person, idle`,
        measure: 'p50',
        value: millis(percentile(full, 50)),
        reference: `job path alone (refresh + enqueue): p50 ${millis(percentile(direct, 50))}`,
      },
      {
        scenario: '',
        measure: 'p99',
        value: millis(percentile(full, 99)),
        reference:
          `floor: planner debounce ${millis(debounce)} + L ${millis(opts.latencyMs)} = ` +
          `${millis(debounce + opts.latencyMs)}`,
        ratio: ratio(percentile(full, 99), debounce + opts.latencyMs),
        goal: '< 5 s',
        met: percentile(full, 99) < 5_000,
      },
    ],
    notes: [
      `Published to a topic exchange of its own (routing key ${routingKey}), consumed by startService ` +
        `(src/app/runService.ts, admin server left out) with KADA_PLANNER_DEBOUNCE_MS=${debounce}; timed from ` +
        `publish to the Graph emulator applying the PATCH. Each change moves one of the person's group occurrences ` +
        `by 15 minutes; the course's lecturers are re-checked too (no writes). One warm-up change first; min ` +
        `${millis(full[0]!)}, max ${millis(full[full.length - 1]!)}.`,
      `Job-path reference over ${num(direct.length)} changes: min ${millis(direct[0]!)}, max ` +
        `${millis(direct[direct.length - 1]!)}.`,
    ],
  };
}
