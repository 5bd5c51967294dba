import { execFile } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/dataSource';
import { OWNER_PROP } from '../../src/domain/markers';
import { onServer } from '../../testkit/support/scratchDatabase';
import { baseDatabaseUrl } from '../../testkit/support/db';
import type { Harness } from '../../testkit/support/harness';
import { CLI } from '../../testkit/support/kadaProcess';
import { eventually } from '../intake/amqpFixture';

/**
 * What the lost-database drill does to a filled installation, as an operator would: the built CLI
 * in child processes, and the database dropped on the server (not truncated).
 */

export interface CliAnswer {
  code: number;
  stdout: string;
  stderr: string;
}

/** `kada <args>` with the harness's environment; `input` goes to standard input. */
export function kadaCli(
  h: Harness,
  args: string[],
  input = '',
  extra: Record<string, string> = {},
): Promise<CliAnswer> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...h.env, ...extra }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

/** The semester's courses as `kada enqueue-course -` and `reconcile --all --courses -` read them. */
export const courseList = (h: Harness, semester: string) =>
  h.institution
    .courses(semester)
    .map((c) => `${c.ref.courseId},${c.ref.version}`)
    .join('\n');

/** Every person FS knows who has a mailbox: students and lecturers. */
export const mailboxes = (h: Harness) =>
  [...new Set([...h.institution.students(), ...h.institution.lecturers()].flatMap((p) => (p.epost ? [p.epost] : [])))]
    .map((m) => m.toLowerCase())
    .sort();

/** kada's events in each mailbox exactly as Graph holds them (ids, markers, content) and their occurrences. */
export function snapshotMailboxes(h: Harness): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const mailbox of mailboxes(h)) {
    const events = h.microsoft.graph
      .events(mailbox)
      .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio')
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((e) => JSON.stringify(e));
    // What the person sees, series expanded into their weeks (exceptions and cancellations included).
    const seen = h.microsoft.graph
      .occurrences(mailbox)
      .filter((o) => o.extendedProperties[OWNER_PROP] === 'uio')
      .map((o) => JSON.stringify(o))
      .sort();
    out.set(mailbox, [...events, ...seen]);
  }
  return out;
}

/** Waits until nothing is pending in the inbox and no job is queued or running. */
export async function waitIdle(db: DataSource, timeoutMs = 240_000): Promise<void> {
  await eventually(
    async () => {
      const [r] = await db.query(
        `SELECT (SELECT count(*) FROM inbox WHERE state = 'pending')::int AS inbox,
                (SELECT count(*) FROM jobs WHERE state IN ('queued', 'running'))::int AS jobs,
                (SELECT count(*) FROM persons)::int AS persons`,
      );
      return r.inbox === 0 && r.jobs === 0 && r.persons > 0;
    },
    { what: 'the fill to finish', timeoutMs },
  );
}

/**
 * The database is lost: every connection closed, the database dropped on the server and made again
 * empty under the same name (as a restore to a blank instance would).
 */
export async function loseDatabase(h: Harness): Promise<void> {
  if (h.db.dataSource.isInitialized) await h.db.dataSource.destroy();
  await onServer(baseDatabaseUrl(), `DROP DATABASE ${h.db.name} WITH (FORCE)`);
  await onServer(baseDatabaseUrl(), `CREATE DATABASE ${h.db.name}`);
}

/** A connection of the test's own to the database (the harness's was closed with the loss). */
export async function openDatabase(url: string): Promise<DataSource> {
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  return ds;
}
