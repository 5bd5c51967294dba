import type { DataSource, QueryRunner } from 'typeorm';

/** Runs `fn` in a transaction; `afterCommit` callbacks run only if it commits. */
export async function inTransaction<T>(
  dataSource: DataSource,
  fn: (q: QueryRunner, afterCommit: (cb: () => void) => void) => Promise<T>,
): Promise<T> {
  const q = dataSource.createQueryRunner();
  await q.connect();
  const callbacks: (() => void)[] = [];
  try {
    await q.startTransaction();
    const result = await fn(q, (cb) => callbacks.push(cb));
    await q.commitTransaction();
    for (const cb of callbacks) cb();
    return result;
  } catch (err) {
    if (q.isTransactionActive) await q.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await q.release();
  }
}
