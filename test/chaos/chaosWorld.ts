import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DateTime } from 'luxon';
import { eventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { courseKey, type CourseRef } from '../../src/domain/types';
import type { InstitutionChange } from '../../testkit/institution/institution';
import { createRandom, type Random } from '../../testkit/institution/institutionRandom';
import { eventually } from '../intake/amqpFixture';
import { startHarness, type Harness } from '../../testkit/support/harness';
import {
  changedUserEvents,
  checkCalendars,
  snapshotUserEvent,
  type CalendarFigures,
  type UserEventSnapshot,
} from './calendarCheck';
import { ChaosBroker } from './chaosBroker';
import { killHard, startKada, type KadaChild } from '../../testkit/support/kadaProcess';

/**
 * One chaos run's world: a synthetic institution behind the TP/FS emulator, the Microsoft emulator,
 * a private queue on the real RabbitMQ, a database of its own, and `kada run` child processes that
 * the test starts, kills and restarts. The world publishes IntArk notifications for every change it
 * makes, remembers every one, and at the end says (as a table) how far the calendars are from the
 * institution's ground truth.
 */

export const FULL = process.env.CHAOS_FULL === '1';
export const SEMESTER = '26h';

export interface ChaosOptions {
  label: string;
  seed: number;
  students: number;
  /** Extra environment of every `kada run` child. */
  kadaEnv?: Record<string, string>;
  /** Graph emulator latency per (sub-)request, so work stays in flight long enough to be interrupted. */
  graphLatencyMs?: number;
}

interface Published {
  id: string;
  routingKey: string;
  /** A malformed notification: it must be dead-lettered, never processed. */
  bad: boolean;
}

export interface ChaosFigures extends CalendarFigures {
  userEvents: number;
  userEventsChanged: string[];
  published: number;
  processed: number;
  ignored: number;
  failedNotifications: number;
  deadLettered: number;
  unaccounted: string[];
  jobsDone: number;
  jobsFailed: number;
  jobsRecovered: number;
  graphFaults: number;
  createsDeduplicated: number;
  kills: number;
  restarts: number;
}

const TOPICS = [
  'Repetisjon',
  'Gjesteforelesning',
  'Eksamensforberedelser',
  'Oppgavegjennomgang',
  '<b>Ny</b> tid & sted',
  'Lab "A"',
];

export class ChaosWorld {
  readonly published: Published[] = [];
  readonly formerMailboxes = new Set<string>();
  readonly userEvents: UserEventSnapshot[] = [];
  readonly children: KadaChild[] = [];
  kills = 0;
  private changes: InstitutionChange[] = [];
  private addedCourseEvents = 0;
  private mailboxSerial = 0;

  private constructor(
    readonly h: Harness,
    readonly broker: ChaosBroker,
    readonly rnd: Random,
    private readonly opts: ChaosOptions,
  ) {
    h.institution.onChange((c) => this.changes.push(c));
  }

  static async start(opts: ChaosOptions): Promise<ChaosWorld> {
    const url = process.env.AMQP_URL;
    if (!url) throw new Error('AMQP_URL is not set: run the tests with `npm test` or `npm run chaos`');
    const broker = new ChaosBroker(url, opts.label);
    const h = await startHarness({
      seed: opts.seed,
      students: opts.students,
      noContext: true,
      env: { ...broker.env(), LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn' },
    });
    try {
      await broker.declare();
    } catch (err) {
      await h.close();
      throw err;
    }
    h.microsoft.graph.setLatency(opts.graphLatencyMs ?? 2, 2);
    return new ChaosWorld(h, broker, createRandom(opts.seed * 7919), opts);
  }

  get db() {
    return this.h.db.dataSource;
  }

  get inst() {
    return this.h.institution;
  }

  get graph() {
    return this.h.microsoft.graph;
  }

  /** The child's environment: the harness's, this run's queue, Outlook's 4 slots, short leases. */
  kadaEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...this.h.env,
      ...this.broker.env(),
      GRAPH_CONCURRENCY: '4',
      KADA_WORKERS: '8',
      // Jobs of a killed process are taken again after their lease: short, so a run has many kills.
      KADA_JOB_LEASE_MS: '5000',
      // A person removed is confirmed by FS's second answer (issue 15) a moment later, not 15 minutes, and the
      // deletion guard is not what a chaos run measures: its mutations may remove more than 500 events an hour.
      KADA_CONFIRM_DELAY_MS: '2000',
      KADA_DELETE_GUARD: '1000000',
      ...this.opts.kadaEnv,
      ...extra,
    };
  }

  /** Resolves once a fan-out is certainly under way: some jobs done, some running (a kill now lands mid-work). */
  async fanOutUnderWay(): Promise<void> {
    await eventually(
      async () => {
        const [r] = await this.db.query(
          `SELECT count(*) FILTER (WHERE state = 'done')::int AS done, count(*) FILTER (WHERE state = 'running')::int
             AS running FROM jobs`,
        );
        return r.done >= 1 && r.running >= 1;
      },
      { what: 'the fan-out to be under way', timeoutMs: 120_000 },
    );
  }

  /**
   * Kills `p`, then `more` times: changes while kada is down, a new kada, a random while (from
   * start-up to deep in the work), another kill.
   */
  async killRepeatedly(
    p: KadaChild,
    more: number,
    opts: { mutations: [number, number]; maxAliveMs: number; badChance?: number },
  ): Promise<void> {
    await this.kill(p);
    for (let i = 0; i < more; i++) {
      await this.mutate(this.rnd.int(...opts.mutations));
      if (opts.badChance && this.rnd.chance(opts.badChance)) await this.publishBad();
      const next = await this.startKada();
      await sleep(this.rnd.int(200, opts.maxAliveMs));
      await this.kill(next);
    }
  }

  async startKada(extra: Record<string, string> = {}): Promise<KadaChild> {
    const p = await startKada(this.kadaEnv(extra));
    this.children.push(p);
    return p;
  }

  /** SIGKILL: no shutdown, no released leases; its running jobs come back when their lease runs out. */
  async kill(p: KadaChild): Promise<void> {
    await killHard(p);
    this.kills++;
  }

  // ---------- notifications ----------

  async publishCourse(ref: CourseRef): Promise<void> {
    const id = randomUUID();
    this.published.push({ id, routingKey: 'no.uio.tp.TP-prod.courses.update', bad: false });
    await this.broker.publish('no.uio.tp.TP-prod.courses.update', {
      sub: `courses/${ref.courseId},${ref.version}/${ref.semester}`,
      iss: 'TP-prod',
      iat: String(Date.now()),
      operation: 'update',
      jti: id,
      course_id: ref.courseId,
      course_version: ref.version,
      semester: ref.semester,
    });
  }

  async publishPerson(
    personId: string,
    resource: 'personer' | 'undervisningsmeldinger' | 'gruppemedlemskap' = 'personer',
  ): Promise<void> {
    const id = randomUUID();
    const routingKey = `no.uio.fs.FS-prod.${resource}.update`;
    this.published.push({ id, routingKey, bad: false });
    const sub = resource === 'personer' ? `personer/${personId}` : `${resource}/${this.rnd.int(100000, 999999)}`;
    await this.broker.publish(routingKey, {
      sub,
      iss: 'FS-prod',
      iat: String(Date.now()),
      operation: 'update',
      jti: id,
      person_id: personId,
    });
  }

  /** A notification kada must refuse (dead-letter), mixed into the traffic. */
  async publishBad(): Promise<void> {
    const id = `bad-${randomUUID()}`;
    const cases = [
      {
        routingKey: 'no.uio.fs.FS-prod.personer.update',
        body: { sub: 'personer/../x', iss: 'FS-prod', iat: String(Date.now()), operation: 'update', jti: id },
      },
      {
        routingKey: 'no.uio.fs.FS-prod.undervisningsmeldinger.update',
        body: {
          sub: 'undervisningsmeldinger/1',
          iss: 'FS-prod',
          operation: 'update',
          jti: id,
          person_id: 'ola.nordmann@uio.no',
        },
      },
      {
        routingKey: 'no.uio.tp.TP-prod.courses.update',
        body: { sub: 'courses/IN1000,1/2026-autumn', iss: 'TP-prod', operation: 'update', jti: id },
      },
    ];
    const c = this.rnd.pick(cases);
    this.published.push({ id, routingKey: c.routingKey, bad: true });
    await this.broker.publish(c.routingKey, c.body);
  }

  /** Every course's timetable "changed": a fan-out to everyone registered or teaching. */
  async fanOutAllCourses(): Promise<void> {
    for (const c of this.inst.courses(SEMESTER)) await this.publishCourse(c.ref);
  }

  /** Publishes the notifications for the institution changes made since the last call. */
  async publishChanges(): Promise<number> {
    const changes = this.changes.splice(0);
    const courses = new Map<string, CourseRef>();
    for (const c of changes) {
      if (c.system === 'tp') courses.set(courseKey(c.course), c.course);
      else await this.publishPerson(c.personId, c.resource);
    }
    for (const ref of courses.values()) await this.publishCourse(ref);
    return changes.length;
  }

  // ---------- changes at the sources ----------

  /** `n` random changes of the kinds planners and student offices make, then their notifications. */
  async mutate(n: number): Promise<void> {
    const r = this.rnd;
    for (let i = 0; i < n; i++) {
      const course = r.pick(this.inst.courses(SEMESTER));
      const events = this.inst.courseEvents(course.ref) ?? [];
      const ev = events.length ? r.pick(events) : undefined;
      const kind = r.int(0, 9);
      if (ev && kind <= 1) {
        const hours = r.pick([-2, 1, 2, 24, 48]);
        const start = parseTpTime(ev.dtstart)!.plus({ hours });
        const end = parseTpTime(ev.dtend)!.plus({ hours });
        this.inst.moveEvent(course.ref, ev.eventid, start.toISO()!, end.toISO()!);
      } else if (ev && kind === 2) {
        this.inst.cancelEvent(course.ref, ev.eventid, ev.status !== 'cancelled');
      } else if (ev && kind === 3) {
        this.inst.setSummary(course.ref, ev.eventid, r.chance(0.2) ? '' : r.pick(TOPICS));
      } else if (ev && kind === 4) {
        this.inst.deleteEvent(course.ref, ev.eventid);
      } else if (ev && kind === 5) {
        const start = parseTpTime(ev.dtstart)!.plus({ hours: 3, minutes: 15 * (this.addedCourseEvents++ % 4) });
        this.inst.addEvent(course.ref, {
          dtstart: start.toISO()!,
          dtend: start.plus({ minutes: 90 }).toISO()!,
          actid: '1',
          summary: 'Ekstra forelesning',
        });
      } else if (kind === 6 || kind === 7) {
        const regs = this.inst.registrationsOfCourse(course.ref);
        if (!regs.length) continue;
        const reg = r.pick(regs);
        if (kind === 7 && r.chance(0.4)) this.inst.removeRegistration(reg.personlopenummer, course.ref);
        else
          this.inst.setRegistration(
            reg.personlopenummer,
            course.ref,
            course.groups.length ? [r.pick(course.groups)] : [],
          );
      } else if (kind === 8) {
        const p = r.pick(this.inst.students().filter((s) => s.epost));
        this.formerMailboxes.add(p.epost!);
        this.inst.setEmail(p.personlopenummer, `${p.brukernavn}.${++this.mailboxSerial}@uio.no`);
      } else if (kind === 9 && r.chance(0.3)) {
        const p = r.pick(this.inst.students());
        if (p.epost) this.formerMailboxes.add(p.epost);
        this.inst.removePerson(p.personlopenummer);
      } else if (ev) {
        this.inst.setRoom(course.ref, ev.eventid, r.pick(this.inst.rooms()).id);
      }
    }
    await this.publishChanges();
  }

  /**
   * Changes that need many creates (the writes that can fail with 5xx and still land): an extra
   * lecture for a whole course, and a student's new address (their whole timetable moves mailbox).
   */
  async mutateCreates(): Promise<void> {
    const course = this.rnd.pick(this.inst.courses(SEMESTER));
    const ev = this.rnd.pick(this.inst.courseEvents(course.ref)!.filter((e) => e.status_plenary));
    const start = parseTpTime(ev.dtstart)!.plus({ hours: 4, minutes: 15 * (this.addedCourseEvents++ % 4) });
    this.inst.addEvent(course.ref, {
      dtstart: start.toISO()!,
      dtend: start.plus({ minutes: 90 }).toISO()!,
      actid: '1',
      summary: 'Ekstra forelesning',
    });
    const p = this.rnd.pick(
      this.inst.students().filter((s) => s.epost && this.inst.timetableOf(s.personlopenummer, SEMESTER).length),
    );
    this.formerMailboxes.add(p.epost!);
    this.inst.setEmail(p.personlopenummer, `${p.brukernavn}.${++this.mailboxSerial}@uio.no`);
    await this.publishChanges();
  }

  // ---------- users' own calendar entries ----------

  /**
   * Puts entries kada must never touch into `mailboxes` persons' calendars: a private appointment,
   * one with a lecture's subject and time, one marked as another institution's kada event with a
   * real key, and one with kada's key marker but no owner. Snapshots them byte for byte.
   */
  seedUserEvents(mailboxes: number): void {
    const people = this.rnd.sample(
      this.inst.students().filter((s) => s.epost && this.inst.timetableOf(s.personlopenummer, SEMESTER).length),
      mailboxes,
    );
    for (const p of people) {
      const mailbox = p.epost!;
      const t = this.inst.timetableOf(p.personlopenummer, SEMESTER)[0]!;
      const tp = this.inst.event(t.course, t.eventid)!;
      const startUtc = parseTpTime(tp.dtstart)!.toUTC();
      const at = (dt: DateTime) => ({ dateTime: dt.toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: 'UTC' });
      const entries: Record<string, unknown>[] = [
        { subject: 'Tannlege', start: at(startUtc.plus({ days: 1 })), end: at(startUtc.plus({ days: 1, hours: 1 })) },
        {
          subject: `${tp.courseid} ${tp['teaching-title']}`,
          start: at(startUtc),
          end: at(parseTpTime(tp.dtend)!.toUTC()),
          body: { contentType: 'text', content: 'mine notater' },
        },
        {
          subject: 'Kollokvie (UiB)',
          start: at(startUtc.plus({ hours: 3 })),
          end: at(startUtc.plus({ hours: 4 })),
          singleValueExtendedProperties: [
            { id: OWNER_PROP, value: 'uib' },
            { id: KEY_PROP, value: eventKey(t.course, t.eventid) },
          ],
        },
        {
          subject: 'Kopi av forelesning',
          start: at(startUtc.plus({ hours: 5 })),
          end: at(startUtc.plus({ hours: 6 })),
          singleValueExtendedProperties: [{ id: KEY_PROP, value: eventKey(t.course, t.eventid) }],
        },
      ];
      for (const e of entries) {
        const created = this.graph.addUserEvent(mailbox, e);
        this.userEvents.push(snapshotUserEvent(this.graph, mailbox, created.id));
      }
    }
  }

  // ---------- waiting and judging ----------

  private async inboxStates(): Promise<Map<string, string>> {
    const rows: { notification_id: string; state: string }[] = await this.db.query(
      `SELECT notification_id, state FROM inbox WHERE notification_id = ANY($1)`,
      [this.published.filter((p) => !p.bad).map((p) => p.id)],
    );
    return new Map(rows.map((r) => [r.notification_id, r.state]));
  }

  private async deadLetterIds(): Promise<Set<string>> {
    const rows: { notification_id: string }[] = await this.db.query(
      `SELECT DISTINCT notification_id FROM errors WHERE kind = 'dead_letter' AND notification_id = ANY($1)`,
      [this.published.filter((p) => p.bad).map((p) => p.id)],
    );
    return new Set(rows.map((r) => r.notification_id));
  }

  /** Published notifications with no final trace yet: not in the inbox (or still pending), not dead-lettered. */
  async unaccounted(): Promise<string[]> {
    const states = await this.inboxStates();
    const dead = await this.deadLetterIds();
    return this.published
      .filter((p) =>
        p.bad ? !dead.has(p.id) : !['processed', 'ignored', 'failed'].includes(states.get(p.id) ?? 'absent'),
      )
      .map(
        (p) =>
          `${p.bad ? 'bad ' : ''}${p.routingKey} ${p.id} ` +
          `(${p.bad ? 'not dead-lettered' : (states.get(p.id) ?? 'not in the inbox')})`,
      );
  }

  /**
   * Quiet: every published notification has reached its end (processed, ignored, failed or
   * dead-lettered), nothing is pending in the inbox and no job is queued or running.
   */
  async waitForQuiet(timeoutMs: number): Promise<void> {
    let last = '';
    try {
      await eventually(
        async () => {
          const [r] = await this.db.query(
            `SELECT (SELECT count(*) FROM inbox WHERE state = 'pending')::int AS pending,
                    (SELECT count(*) FROM jobs WHERE state IN ('queued', 'running'))::int AS jobs`,
          );
          const open = await this.unaccounted();
          last =
            `${r.pending} pending notifications, ${r.jobs} queued/running jobs, ${open.length} unaccounted: ` +
            `${open.slice(0, 5).join('; ')}`;
          return r.pending === 0 && r.jobs === 0 && open.length === 0;
        },
        { timeoutMs, what: 'quiet' },
      );
    } catch (err) {
      const tail = this.children.at(-1)?.output().slice(-4000) ?? '';
      // What is still open, so a timeout says why (priority, retries, waiting for run_at or a hung job).
      const open = await this.db.query(
        `SELECT state, priority, force, attempts, run_at > now() AS later, count(*)::int AS n FROM jobs
          WHERE state IN ('queued', 'running') GROUP BY 1, 2, 3, 4, 5 ORDER BY n DESC LIMIT 12`,
      );
      const jobs = JSON.stringify(open);
      throw new Error(
        `${(err as Error).message} (${last})\n--- open jobs ---\n${jobs}\n--- last kada output ---\n${tail}`,
      );
    }
  }

  async figures(): Promise<ChaosFigures> {
    const personIds = [...this.inst.students(), ...this.inst.lecturers()].map((p) => p.personlopenummer);
    const calendars = checkCalendars({
      institution: this.inst,
      graph: this.graph,
      semesters: [SEMESTER],
      personIds,
      formerMailboxes: this.formerMailboxes,
      expanded: this.kadaEnv().SERIES_MODE === 'weekly',
    });
    const states = await this.inboxStates();
    const count = (s: string) => [...states.values()].filter((v) => v === s).length;
    await this.broker.drainDeadLetters();
    const [jobs] = await this.db.query(
      `SELECT count(*) FILTER (WHERE state = 'done')::int AS done, count(*) FILTER (WHERE state = 'failed')::int AS
         failed,
              count(*) FILTER (WHERE 'recovered after a crash' = ANY(reasons))::int AS recovered FROM jobs`,
    );
    const g = this.graph.stats();
    // What the state store believes about each wrong event, to tell a missed write from a wrong record.
    for (const [i, problem] of calendars.problems.entries()) {
      const m = /^(\S+): (tp:\S+): /.exec(problem);
      if (!m) continue;
      const [row] = await this.db.query(
        `SELECT right(graph_event_id, 12) AS id, content_hash, last_synced_at FROM synced_events WHERE lower(mailbox) =
           $1 AND event_key = $2`,
        [m[1], m[2]],
      );
      const id = /graph id (\S+),/.exec(problem)?.[1];
      const writes = id
        ? this.graph
            .requestLog()
            .filter((r) => r.eventId?.endsWith(id))
            .map(
              (r) =>
                `${new Date(r.at).toISOString().slice(11, 23)} ${r.method} ${r.status}${r.fault ? ` ${r.fault}` : ''}`,
            )
        : [];
      calendars.problems[i] =
        `${problem} [store: ` +
        `${row ? `id ${row.id}, hash ${row.content_hash}, synced ${row.last_synced_at.toISOString()}` : 'no row'}]` +
        (writes.length ? ` [graph: ${writes.join(', ')}]` : '');
    }
    return {
      ...calendars,
      userEvents: this.userEvents.length,
      userEventsChanged: changedUserEvents(this.graph, this.userEvents),
      published: this.published.length,
      processed: count('processed'),
      ignored: count('ignored'),
      failedNotifications: count('failed'),
      deadLettered: (await this.deadLetterIds()).size,
      unaccounted: await this.unaccounted(),
      jobsDone: jobs.done,
      jobsFailed: jobs.failed,
      jobsRecovered: jobs.recovered,
      graphFaults: Object.values(g.faults).reduce((a, b) => a + b, 0),
      createsDeduplicated: g.writes.createDeduplicated,
      kills: this.kills,
      restarts: this.children.length,
    };
  }

  /** Every child's output, in .tmp/chaos-logs/<queue>-<n>.log, for reading after a failed run. */
  saveLogs(): string {
    const dir = path.resolve(__dirname, '../../.tmp/chaos-logs');
    mkdirSync(dir, { recursive: true });
    this.children.forEach((c, i) => writeFileSync(path.join(dir, `${this.broker.queue}-${i + 1}.log`), c.output()));
    return dir;
  }

  async close(): Promise<void> {
    for (const p of this.children) await killHard(p).catch(() => undefined);
    this.saveLogs();
    await this.broker.close().catch(() => undefined);
    await this.h.close();
  }
}

/** The figures as a small table on stdout, so a chaos run reads like a report. */
export function printFigures(title: string, f: ChaosFigures, extra: Record<string, string | number> = {}): void {
  const rows: [string, string | number][] = [
    ['persons checked', `${f.persons} (${f.withoutMailbox} without mailbox)`],
    ['events expected', f.expected],
    ['events present', f.present],
    ['missing', f.missing],
    ['duplicate', f.duplicate],
    ['wrong content', f.wrong],
    ['not deleted', f.extra],
    ['left in old mailboxes', f.stray],
    ['user events touched', `${f.userEventsChanged.length} of ${f.userEvents}`],
    ['notifications published', f.published],
    ['  processed / ignored', `${f.processed} / ${f.ignored}`],
    ['  dead-lettered (bad ones)', f.deadLettered],
    ['  failed / unaccounted', `${f.failedNotifications} / ${f.unaccounted.length}`],
    ['jobs done / failed', `${f.jobsDone} / ${f.jobsFailed}`],
    ['jobs recovered after a crash', f.jobsRecovered],
    ['kada processes started / killed', `${f.restarts} / ${f.kills}`],
    ['Graph faults injected', f.graphFaults],
    ['creates answered by transactionId', f.createsDeduplicated],
    ...Object.entries(extra),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  console.log(`\n${title}\n${'-'.repeat(title.length)}\n${lines.join('\n')}\n`);
}

/** Nothing lost, nothing twice, nothing wrong, nobody's own entries touched, every notification accounted for. */
export function cleanVerdict(f: ChaosFigures) {
  return {
    missing: f.missing,
    duplicate: f.duplicate,
    wrong: f.wrong,
    extra: f.extra,
    stray: f.stray,
    userEventsChanged: f.userEventsChanged,
    failedNotifications: f.failedNotifications,
    unaccounted: f.unaccounted,
    jobsFailed: f.jobsFailed,
    problems: f.problems,
  };
}

export const CLEAN = {
  missing: 0,
  duplicate: 0,
  wrong: 0,
  extra: 0,
  stray: 0,
  userEventsChanged: [],
  failedNotifications: 0,
  unaccounted: [],
  jobsFailed: 0,
  problems: [],
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
