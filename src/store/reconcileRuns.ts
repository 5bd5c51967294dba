import type { Queryable } from './queryable';

/** Progress of `kada reconcile --all`: a run stopped half-way is resumed from its last person. */
export interface ReconcileRun {
  id: string;
  /** The last person the run finished ('' before the first). */
  lastPersonId: string;
  personsDone: number;
  repairs: number;
}

/** The unfinished run to resume, or a new one; `resumed` says which. */
export async function openReconcileRun(db: Queryable): Promise<{ run: ReconcileRun; resumed: boolean }> {
  const open = await db.query(
    `SELECT id, last_person_id, persons_done, repairs FROM reconcile_runs
      WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1`,
  );
  const row =
    open[0] ??
    (
      await db.query(`INSERT INTO reconcile_runs DEFAULT VALUES RETURNING id, last_person_id, persons_done, repairs`)
    )[0];
  return {
    run: {
      id: String(row.id),
      lastPersonId: row.last_person_id ?? '',
      personsDone: Number(row.persons_done),
      repairs: Number(row.repairs),
    },
    resumed: open.length > 0,
  };
}

export async function saveReconcileProgress(db: Queryable, run: ReconcileRun): Promise<void> {
  await db.query(`UPDATE reconcile_runs SET last_person_id = $2, persons_done = $3, repairs = $4 WHERE id = $1`, [
    run.id,
    run.lastPersonId,
    run.personsDone,
    run.repairs,
  ]);
}

export async function finishReconcileRun(db: Queryable, runId: string): Promise<void> {
  await db.query(`UPDATE reconcile_runs SET finished_at = now() WHERE id = $1`, [runId]);
}
