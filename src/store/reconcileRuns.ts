import type { Queryable } from './queryable';

/** Progress of `kada reconcile --all`: a run stopped half-way is resumed from its last person. */
export interface ReconcileRun {
  id: string;
  /** The last person the run finished ('' before the first). */
  lastPersonId: string;
  personsDone: number;
  repairs: number;
  /** Persons whose reconcile job failed, over every resumption of the run. */
  personsFailed: number;
}

const COLUMNS = 'id, last_person_id, persons_done, repairs, persons_failed';

/** The unfinished run to resume, or a new one; `resumed` says which. */
export async function openReconcileRun(db: Queryable): Promise<{ run: ReconcileRun; resumed: boolean }> {
  const open = await db.query(
    `SELECT ${COLUMNS} FROM reconcile_runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1`,
  );
  const row = open[0] ?? (await db.query(`INSERT INTO reconcile_runs DEFAULT VALUES RETURNING ${COLUMNS}`))[0];
  return {
    run: {
      id: String(row.id),
      lastPersonId: row.last_person_id ?? '',
      personsDone: Number(row.persons_done),
      repairs: Number(row.repairs),
      personsFailed: Number(row.persons_failed),
    },
    resumed: open.length > 0,
  };
}

export async function saveReconcileProgress(db: Queryable, run: ReconcileRun): Promise<void> {
  await db.query(
    `UPDATE reconcile_runs SET last_person_id = $2, persons_done = $3, repairs = $4, persons_failed = $5
      WHERE id = $1`,
    [run.id, run.lastPersonId, run.personsDone, run.repairs, run.personsFailed],
  );
}

export async function finishReconcileRun(db: Queryable, runId: string): Promise<void> {
  await db.query(`UPDATE reconcile_runs SET finished_at = now() WHERE id = $1`, [runId]);
}

/**
 * A finished run is a success when at most this share of its persons failed: a few mailboxes that
 * cannot be written (no licence, access denied) fail every night and are the jobs alert's business;
 * a night with Graph or FS down fails nearly everyone and must not count as "reconciled".
 */
export const RECONCILE_FAILED_SHARE = 0.01;

/** SQL condition for a successful run (shared by the metric and its test). */
export const RECONCILE_SUCCEEDED = [
  'finished_at IS NOT NULL',
  `persons_failed <= ${RECONCILE_FAILED_SHARE} * persons_done`,
].join(' AND ');
