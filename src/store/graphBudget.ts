import type { Queryable } from './queryable';

/** SQL of the installation's shared Outlook budget (graph_budget, graph_leases; db/migrations/0007). */

export interface LeaseAnswer {
  /** Slots this holder may have in flight in the lane now. */
  granted: number;
  /** The lane's limit now (for the whole app: GRAPH_CONCURRENCY after 429s). */
  limit: number;
  /** How long everyone still waits after a 429 (ms, 0: not paused). */
  pausedMs: number;
  /** Other holders wanting more slots than they have. */
  waiting: number;
}

/**
 * Asks for `want` slots in `lane` ('' = the whole app), never fewer than `keep` (those in flight);
 * the lease is renewed for `ttlMs`. `want` 0 and `keep` 0 gives the lease up.
 */
export async function leaseSlots(
  db: Queryable,
  a: { holder: string; lane: string; limit: number; want: number; keep: number; ttlMs: number },
): Promise<LeaseAnswer> {
  const [r] = await db.query(
    `SELECT granted, lane_limit, paused_ms, waiting FROM kada_graph_lease($1, $2, $3, $4, $5, $6)`,
    [a.holder, a.lane, a.limit, a.want, a.keep, Math.round(a.ttlMs)],
  );
  return { granted: r.granted, limit: r.lane_limit, pausedMs: r.paused_ms, waiting: r.waiting };
}

/** A 429: one slot fewer for everyone (never below 1), and everyone waits `waitMs`. */
export async function shrinkBudget(db: Queryable, limit: number, waitMs: number): Promise<void> {
  await db.query(
    `UPDATE graph_budget SET effective = greatest(1, least(coalesce(effective, $1), $1) - 1),
            paused_until = greatest(paused_until, now() + $2 * interval '1 millisecond')`,
    [limit, Math.round(waitMs)],
  );
}

/** Calm for a while: one slot back (NULL again once the configured limit is reached). */
export async function growBudget(db: Queryable, limit: number): Promise<void> {
  await db.query(
    `UPDATE graph_budget SET effective = CASE WHEN effective + 1 >= $1 THEN NULL ELSE effective + 1 END
      WHERE effective IS NOT NULL`,
    [limit],
  );
}

/** Gives up every lease of this holder (a process stopping). */
export async function releaseAll(db: Queryable, holder: string): Promise<void> {
  await db.query(`DELETE FROM graph_leases WHERE holder = $1`, [holder]);
}

/** Slots leased now across the installation, per lane ('' = the whole app), for status and tests. */
export async function leasedNow(db: Queryable): Promise<{ lane: string; holders: number; slots: number }[]> {
  const rows = await db.query(
    `SELECT lane, count(*)::int AS holders, sum(slots)::int AS slots FROM graph_leases
      WHERE expires_at > now() GROUP BY lane ORDER BY lane`,
  );
  return rows.map((r: { lane: string; holders: number; slots: number }) => ({ ...r }));
}
