import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { AppContext } from '../../src/app/context';
import { personJobHandler } from '../../src/app/jobHandler';
import { isTransient } from '../../src/sync/errors';
import { OWNER_PROP } from '../../src/domain/markers';
import { courseKey, type CourseRef } from '../../src/domain/types';
import type { Institution } from '../../testkit/institution/institution';
import { startSourceEmulator, type SourceEmulator, type SourceFaults } from '../../testkit/sources/sourceEmulator';
import { enqueuePerson } from '../../src/jobs/enqueue';
import { getJob } from '../../src/jobs/jobStatus';
import type { Job } from '../../src/jobs/types';
import { WorkerPool } from '../../src/jobs/workerPool';
import { silentLogger } from '../../src/log/logger';
import { Planner } from '../../src/planner/planner';
import { createFsClient } from '../../src/sources/fsClient';
import { createTpClient } from '../../src/sources/tpClient';
import { eventually } from '../intake/amqpFixture';
import { FS_KEY, startHarness, TP_KEY, type Harness } from '../../testkit/support/harness';

/**
 * The bad-input corpus' machinery: an institution whose TP and FS answers can be replaced with
 * anything (the emulator serves whatever it is given, verbatim), the corpus loaders, and the real
 * planner and worker pool wired as `kada run` wires them, with short retries so a case that must
 * fail fails in seconds.
 */

export interface Overrides {
  /** Courses TP serves that the institution does not have, by courseKey. */
  courses: Map<string, { name: unknown; events: unknown[] }>;
  /** What GET /personer/{id} answers; null = 404. */
  persons: Map<string, unknown>;
  registrations: Map<string, unknown[]>;
  roles: Map<string, unknown[]>;
  courseRegistrations: Map<string, unknown[]>;
}

export function emptyOverrides(): Overrides {
  return {
    courses: new Map(),
    persons: new Map(),
    registrations: new Map(),
    roles: new Map(),
    courseRegistrations: new Map(),
  };
}

/** The institution as the source emulator sees it, with `overrides` served in place of its own data. */
export function withOverrides(inst: Institution, o: Overrides): Institution {
  const wire = <T>(v: unknown) => v as T;
  return new Proxy(inst, {
    get(target, prop, receiver) {
      switch (prop) {
        case 'courseEvents':
          return (ref: CourseRef) => wire(o.courses.get(courseKey(ref))?.events) ?? target.courseEvents(ref);
        case 'courseName':
          return (ref: CourseRef) =>
            o.courses.has(courseKey(ref)) ? wire(o.courses.get(courseKey(ref))!.name) : target.courseName(ref);
        case 'person':
          return (id: string) => (o.persons.has(id) ? (wire(o.persons.get(id)) ?? undefined) : target.person(id));
        case 'registrationsOfPerson':
          return (id: string, sem: string) => wire(o.registrations.get(id)) ?? target.registrationsOfPerson(id, sem);
        case 'rolesOfPerson':
          return (id: string, sem: string) => wire(o.roles.get(id)) ?? target.rolesOfPerson(id, sem);
        case 'registrationsOfCourse':
          return (ref: CourseRef) =>
            wire(o.courseRegistrations.get(courseKey(ref))) ?? target.registrationsOfCourse(ref);
        case 'rolesOfCourse':
          return (ref: CourseRef) => (o.courses.has(courseKey(ref)) ? [] : target.rolesOfCourse(ref));
        default:
          return Reflect.get(target, prop, receiver);
      }
    },
  });
}

const BAD_DIR = path.resolve(__dirname, '../fixtures/bad');

export interface TpCase {
  name: string;
  description: string;
  events: unknown[];
  coursename?: unknown;
  faults?: SourceFaults;
  expect: {
    course: 'synced' | 'failed';
    code?: string;
    rejected?: { eventid: string | null; reason: string }[];
    accepted?: string[];
    checks?: ('bodyEscaped' | 'onlyHttpLinks' | 'firstDuplicateKept')[];
  };
}

export interface FsCase {
  name: string;
  description: string;
  personId: string;
  person?: unknown;
  registrations?: unknown[];
  roles?: unknown[];
  faults?: SourceFaults;
  expect: { outcome: 'synced' | 'gone' | 'no_mailbox' | 'failed'; code?: string; error?: string; mailbox?: string };
}

function load<T>(folder: string): T[] {
  const dir = path.join(BAD_DIR, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), ...JSON.parse(readFileSync(path.join(dir, f), 'utf8')) }) as T);
}

export const loadTpCases = () => load<TpCase>('tp');
export const loadFsCases = () => load<FsCase>('fs');

/** How many cases the whole bad-input corpus holds (notifications, TP, FS). */
export function corpusSize(): number {
  return ['notifications', 'tp', 'fs'].reduce(
    (n, folder) => n + readdirSync(path.join(BAD_DIR, folder)).filter((f) => f.endsWith('.json')).length,
    0,
  );
}

/**
 * kada's in-process pieces against the harness: real TP/FS clients with short retries and
 * timeouts, the planner (no debounce) and a worker pool running person jobs as `kada run` does.
 */
export class Pipeline {
  readonly ctx: AppContext;
  readonly planner: Planner;
  readonly pool: WorkerPool;

  readonly maxAttempts: number;

  /**
   * `sources`: the emulator serving the bad data (default: the harness's own); `timeoutMs`: per
   * source request (short, so a hanging source fails a case in seconds).
   */
  constructor(
    h: Harness,
    opts: { sources?: { tpBaseUrl: string; fsBaseUrl: string }; maxAttempts?: number; timeoutMs?: number } = {},
  ) {
    const sources = opts.sources ?? h.sources;
    const maxAttempts = (this.maxAttempts = opts.maxAttempts ?? 2);
    const retry = {
      attempts: 2,
      baseDelayMs: 10,
      maxDelayMs: 50,
      timeoutMs: opts.timeoutMs ?? 700,
      maxRetryAfterMs: 5_000,
    };
    const tp = createTpClient({ baseUrl: sources.tpBaseUrl, apiKey: h.config.tp.apiKey, retry, logger: silentLogger });
    const fs = createFsClient({ baseUrl: sources.fsBaseUrl, apiKey: h.config.fs.apiKey, retry, logger: silentLogger });
    this.ctx = { ...h.ctx, tp, fs };
    this.planner = new Planner({
      dataSource: h.ctx.dataSource,
      tp,
      fs,
      logger: silentLogger,
      semesters: h.config.semesters,
      debounceMs: 0,
      maxAttempts,
      retryDelayMs: () => 0,
      jobMaxAttempts: maxAttempts,
    });
    this.pool = new WorkerPool({
      db: h.ctx.db,
      concurrency: 2,
      handler: personJobHandler(this.ctx),
      isTransient,
      retryDelayMs: () => 20,
      pollMs: 50,
      logger: silentLogger,
    });
  }

  /** Plans until the inbox has nothing due (a failing course is retried up to maxAttempts). */
  async plan(): Promise<void> {
    for (let i = 0; i <= this.maxAttempts; i++) {
      const r = await this.planner.tick();
      if (r.nextDueInMs === null) return;
    }
  }

  /** Waits until no job is queued or running. */
  async settle(timeoutMs = 60_000): Promise<void> {
    this.pool.wakeAll();
    await eventually(
      async () => {
        // A look queued for the second sighting of a wipe-out (issue 15) waits 15 minutes on purpose.
        const [r] = await this.ctx.db.query(
          `SELECT count(*)::int AS n FROM jobs WHERE state IN ('queued', 'running')
              AND NOT (state = 'queued' AND reasons[1] LIKE 'confirm % wipe-out' AND run_at > now())`,
        );
        return r.n === 0;
      },
      { timeoutMs, what: 'the jobs to finish' },
    );
  }

  /** Queues a job for the person (forced: re-reads TP), runs it to its end and returns it. */
  async runJob(personId: string, opts: { force?: boolean } = {}): Promise<Job> {
    const id = await enqueuePerson(this.ctx.db, personId, {
      reason: 'bad-input test',
      force: opts.force,
      maxAttempts: this.maxAttempts,
    });
    await this.settle();
    return (await getJob(this.ctx.db, id))!;
  }

  /** The person's most recent job. */
  async lastJob(personId: string): Promise<Job> {
    const [r] = await this.ctx.db.query(`SELECT id FROM jobs WHERE person_id = $1 ORDER BY id DESC LIMIT 1`, [
      personId,
    ]);
    return (await getJob(this.ctx.db, String(r.id)))!;
  }
}

/** A corpus file's world: the harness, the source emulator serving `overrides`, and the running pipeline. */
export interface BadSourceWorld {
  h: Harness;
  sources: SourceEmulator;
  overrides: Overrides;
  pipe: Pipeline;
  db(): AppContext['db'];
  /** The events kada wrote in the mailbox (those carrying its owner marker). */
  kadaEvents(mailbox: string): ReturnType<Harness['microsoft']['graph']['events']>;
}

/**
 * Starts the world once for the test file (beforeAll) and stops it after (afterAll); the returned
 * accessor gives it to tests, which run after beforeAll.
 */
export function useBadSourceWorld(opts: { seed: number; students: number }): () => BadSourceWorld {
  let world: BadSourceWorld | undefined;
  let h: Harness | undefined;
  let sources: SourceEmulator | undefined;
  let pipe: Pipeline | undefined;
  beforeAll(async () => {
    h = await startHarness(opts);
    const overrides = emptyOverrides();
    sources = await startSourceEmulator({
      institution: withOverrides(h.institution, overrides),
      tpApiKey: TP_KEY,
      fsApiKey: FS_KEY,
    });
    pipe = new Pipeline(h, { sources });
    pipe.pool.start();
    const harness = h;
    world = {
      h: harness,
      sources,
      overrides,
      pipe,
      db: () => harness.ctx.db,
      kadaEvents: (mailbox) =>
        harness.microsoft.graph.events(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio'),
    };
  });
  afterAll(async () => {
    await pipe?.pool.stop(2_000);
    await sources?.close();
    await h?.close();
  });
  return () => {
    if (!world) throw new Error('the bad-source world is only there inside tests (after beforeAll)');
    return world;
  };
}
