import type { DataSource } from 'typeorm';
import type { Logger } from '../log/logger';
import { pruneAudit } from '../store/audit';
import { type ErasedRows, erasePersonRows, identityOf } from '../store/personErasure';
import type { Queryable } from '../store/queryable';

/** What one retention pass removed; `skipped` when another process was already doing it. */
export interface PruneReport {
  skipped: boolean;
  retentionDays: number;
  personsErased: number;
  /** Rows of the erased persons, per table. */
  personRows: Partial<ErasedRows>;
  errors: number;
  inbox: number;
  jobs: number;
  reconcileRuns: number;
  /** TP course copies (lecturers' names) of semesters kada no longer syncs. */
  tpCourses: number;
  /** Audit entries older than KADA_AUDIT_RETENTION_DAYS. */
  audit: number;
}

/** The audit trail's own retention (default 365 days), longer than the personal data it describes. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;

/** Replicas, the CronJob and a `kada prune` by hand share the work through this lock. */
const LOCK = `hashtext('kada:retention')`;

/**
 * KADA_RETENTION_DAYS (service.md): persons gone from FS for that long are erased (their events left
 * their calendar when they went), and errors (dead letters among them), handled notifications,
 * finished jobs and finished reconcile runs older than that are deleted, and so are TP course copies
 * of semesters no longer in `semesters` (they name lecturers). One transaction under an
 * advisory lock, so two processes never prune at once and a failure leaves nothing half done.
 */
export async function pruneExpired(
  ctx: { dataSource: DataSource; logger: Logger },
  retentionDays: number,
  opts: { semesters?: string[]; auditRetentionDays?: number; pseudonymKey?: string } = {},
): Promise<PruneReport> {
  const report = await ctx.dataSource.transaction(async (m) => {
    const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock(${LOCK}) AS locked`);
    const empty = {
      ...{ personsErased: 0, personRows: {}, errors: 0, inbox: 0, jobs: 0, reconcileRuns: 0, tpCourses: 0, audit: 0 },
    };
    if (!locked) return { skipped: true, retentionDays, ...empty };
    const cutoff = [retentionDays];
    const expired = await expiredPersons(m, retentionDays);
    const personRows: Partial<ErasedRows> = {};
    for (const personId of expired) {
      const erased = await erasePersonRows(m, await identityOf(m, personId), { pseudonymKey: opts.pseudonymKey });
      for (const [table, n] of Object.entries(erased) as [keyof ErasedRows, number][])
        personRows[table] = (personRows[table] ?? 0) + n;
    }
    const older = `now() - make_interval(days => $1)`;
    return {
      skipped: false,
      retentionDays,
      personsErased: expired.length,
      personRows,
      errors: await count(m, `DELETE FROM errors WHERE created_at < ${older}`, cutoff),
      inbox: await count(
        m,
        `DELETE FROM inbox WHERE state <> 'pending' AND coalesce(processed_at, received_at) < ${older}`,
        cutoff,
      ),
      jobs: await count(m, `DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < ${older}`, cutoff),
      reconcileRuns: await count(
        m,
        `DELETE FROM reconcile_runs WHERE finished_at IS NOT NULL AND finished_at < ${older}`,
        cutoff,
      ),
      tpCourses: opts.semesters
        ? await count(m, `DELETE FROM tp_courses WHERE NOT (semester = ANY($2)) AND fetched_at < ${older}`, [
            retentionDays,
            opts.semesters,
          ])
        : 0,
      audit: await pruneAudit(m, opts.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS),
    };
  });
  if (!report.skipped) ctx.logger.info({ ...report }, 'retention: expired personal data pruned');
  return report;
}

/**
 * Gone long enough, and not being synced again (a queued or running job may bring them back). A
 * person kada still records events of (their removal failed or is held) waits: erasing the record
 * would leave those events in their calendar with nobody to remove them.
 */
async function expiredPersons(db: Queryable, retentionDays: number): Promise<string[]> {
  const rows: { person_id: string }[] = await db.query(
    `SELECT p.person_id FROM persons p
      WHERE p.status = 'gone' AND p.gone_at < now() - make_interval(days => $1)
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.person_id = p.person_id AND j.state IN ('queued', 'running'))
        AND NOT EXISTS (SELECT 1 FROM synced_events s WHERE s.person_id = p.person_id)
      ORDER BY p.person_id
      FOR UPDATE OF p SKIP LOCKED`,
    [retentionDays],
  );
  return rows.map((r) => r.person_id);
}

async function count(db: Queryable, sql: string, params: unknown[]): Promise<number> {
  const rows = await db.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params);
  return rows[0].n;
}
