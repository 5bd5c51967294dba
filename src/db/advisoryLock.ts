import type { DataSource } from 'typeorm';

/**
 * PostgreSQL session advisory locks that keep two kada processes (replicas, the CronJob, an
 * operator's CLI) out of the same work. Each lock is a pair of keys: kada's namespace and the
 * lock's number, so they cannot collide with another application's locks in the same database.
 * The lock lives on one connection of its own for as long as `fn` runs; a process that dies
 * loses its connection and with it the lock, so nothing is left to clean up.
 */
const NAMESPACE = 0x6b616461; // "kada"
export const LOCKS = { migrate: 1, reconcileAll: 2 } as const;
export type LockName = keyof typeof LOCKS;

export interface LockHolder {
  /** When the holding session connected, and what it calls itself (application_name). */
  since: Date | null;
  application: string | null;
  client: string | null;
}

/**
 * Runs `fn` holding the lock. With `wait`, queues behind the holder; without it, returns
 * `{ busy: holder }` at once when another session has it.
 */
export async function withAdvisoryLock<T>(
  ds: DataSource,
  name: LockName,
  opts: { wait: boolean; application?: string },
  fn: () => Promise<T>,
): Promise<{ busy: false; result: T } | { busy: true; holder: LockHolder | null }> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  let broken: Error | undefined;
  try {
    // Named in pg_stat_activity, so an operator can see who holds it.
    if (opts.application) await qr.query(`SELECT set_config('application_name', $1, false)`, [opts.application]);
    if (opts.wait) await qr.query('SELECT pg_advisory_lock($1, $2)', [NAMESPACE, LOCKS[name]]);
    else {
      const [{ ok }] = await qr.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [NAMESPACE, LOCKS[name]]);
      if (!ok) return { busy: true, holder: await lockHolder(ds, name) };
    }
    try {
      return { busy: false, result: await fn() };
    } finally {
      await qr.query('SELECT pg_advisory_unlock($1, $2)', [NAMESPACE, LOCKS[name]]).catch((err) => {
        broken = err as Error;
      });
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    // A connection whose unlock or query failed is closed, not pooled: closing it frees the lock.
    if (!broken && opts.application) await qr.query(`RESET application_name`).catch((e) => (broken = e));
    // PostgresQueryRunner's own release that takes an error (pg-pool then discards the connection).
    const pgRunner = qr as unknown as { releasePostgresConnection?: (err?: Error) => Promise<void> };
    if (broken && pgRunner.releasePostgresConnection) await pgRunner.releasePostgresConnection(broken);
    else await qr.release();
  }
}

/** The session holding the lock, as pg_stat_activity sees it (null if it let go meanwhile). */
export async function lockHolder(ds: DataSource, name: LockName): Promise<LockHolder | null> {
  const rows = await ds.query(
    `SELECT a.backend_start, a.application_name, host(a.client_addr) AS client
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2`,
    [NAMESPACE, LOCKS[name]],
  );
  const r = rows[0];
  return r ? { since: r.backend_start, application: r.application_name || null, client: r.client } : null;
}
