import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { CourseRef } from '../../src/domain/types';
import type { Institution } from '../../testkit/institution/institution';
import type { SourceEmulator } from '../../testkit/sources/sourceEmulator';
import { storeNotification } from '../../src/intake/inboxStore';
import { parseNotification } from '../../src/intake/parseNotification';
import { silentLogger } from '../../src/log/logger';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { Planner, type PlannerOptions } from '../../src/planner/planner';
import { createFsClient } from '../../src/sources/fsClient';
import { createTpClient } from '../../src/sources/tpClient';
import type { Queryable } from '../../src/store/queryable';
import { FAST_RETRY, FS_KEY, TP_KEY } from '../sources/fixture';

/** IntArk messages as FS and TP send them (shared/contracts/intark.md), for planner and pipeline tests. */
export function fsPersonMessage(personId: string, jti = randomUUID()) {
  return {
    routingKey: 'no.uio.fs.FS-prod.personer.update',
    body: {
      sub: `personer/${personId}`,
      iss: 'FS-prod',
      iat: String(Date.now()),
      operation: 'update',
      jti,
      person_id: personId,
    },
  };
}

export function tpCourseMessage(c: CourseRef, jti = randomUUID()) {
  return {
    routingKey: 'no.uio.tp.TP-prod.courses.update',
    body: {
      sub: `courses/${c.courseId},${c.version}/${c.semester}`,
      iss: 'TP-prod',
      iat: String(Date.now()),
      operation: 'update',
      jti,
      course_id: c.courseId,
      course_version: c.version,
      semester: c.semester,
    },
  };
}

/** Parses and stores a message exactly as the consumer would. */
export async function store(db: Queryable, m: { routingKey: string; body: object }): Promise<string> {
  const parsed = parseNotification(m.routingKey, Buffer.from(JSON.stringify(m.body)));
  if (!parsed.ok) throw new Error(`${parsed.code}: ${parsed.reason}`);
  await storeNotification(db, parsed.notification, m.routingKey);
  return parsed.notification.id;
}

/** The oracle for a course fan-out: FS registrations and roles, plus the lecturers TP names. */
export function affectedByCourse(inst: Institution, ref: CourseRef): string[] {
  const ids = new Set<string>();
  for (const r of inst.registrationsOfCourse(ref)) ids.add(String(r.personlopenummer));
  for (const r of inst.rolesOfCourse(ref)) ids.add(String(r.personlopenummer));
  for (const e of inst.courseEvents(ref) ?? []) {
    for (const s of e.staffs) {
      const p = inst.personByUsername(s.id);
      if (p) ids.add(String(p.personlopenummer));
    }
  }
  return [...ids].sort();
}

export interface JobRow {
  person_id: string;
  state: string;
  priority: number;
  reasons: string[];
}

export async function jobRows(db: Queryable): Promise<JobRow[]> {
  return db.query(`SELECT person_id, state, priority, reasons FROM jobs ORDER BY person_id, id`);
}

/**
 * A planner reading the TP/FS emulator of `startSources` (fast retries, semester 26h, no debounce)
 * with metrics of its own; `overrides` sets what a test is about (debounce, attempts, ...).
 */
export function emulatorPlanner(
  dataSource: DataSource,
  emulator: Pick<SourceEmulator, 'tpBaseUrl' | 'fsBaseUrl'>,
  overrides: Partial<PlannerOptions> = {},
): { planner: Planner; metrics: Metrics } {
  const metrics = createMetrics();
  const planner = new Planner({
    dataSource,
    tp: createTpClient({ baseUrl: emulator.tpBaseUrl, apiKey: TP_KEY, retry: FAST_RETRY }),
    fs: createFsClient({ baseUrl: emulator.fsBaseUrl, apiKey: FS_KEY, retry: FAST_RETRY }),
    logger: silentLogger,
    metrics,
    semesters: ['26h'],
    debounceMs: 0,
    ...overrides,
  });
  return { planner, metrics };
}
