import { pseudonym } from '../log/pseudonym';
import type { Queryable, Row } from './queryable';

/**
 * The audit trail (table `audit_log`, service.md "Admin HTTP API"): every admin action and every read
 * of one person's data, by whom and how it went. Written by the admin API (admin/auditHook.ts) and the
 * CLI (cli/audited.ts); never changed afterwards except by forget (person -> keyed hash) and retention.
 */

export const AUDIT_ACTIONS = [
  'read',
  'diff',
  'rebuild',
  'opt-out',
  'opt-in',
  'forget',
  'ics-create',
  'ics-revoke',
  'release-deletes',
  'drop-deletes',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = 'ok' | 'denied' | 'error';

export interface AuditEntry {
  actor: string;
  action: AuditAction;
  /** The personlopenummer (or `tp:<username>`); the keyed hash once forgotten; null for no one person. */
  person: string | null;
  outcome: AuditOutcome;
  requestId?: string | null;
}

export interface StoredAuditEntry {
  at: string;
  actor: string;
  action: AuditAction;
  person: string | null;
  outcome: AuditOutcome;
}

/** Bounded and free of control characters (PostgreSQL text holds no NUL), whatever a caller typed. */
const clean = (s: string | null | undefined, max: number) =>
  s == null ? null : s.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max);

export async function writeAudit(db: Queryable, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (!list.length) return;
  await db.query(
    `INSERT INTO audit_log (actor, action, person, outcome, request_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
    [
      list.map((e) => clean(e.actor, 254) ?? ''),
      list.map((e) => e.action),
      list.map((e) => clean(e.person, 254)),
      list.map((e) => e.outcome),
      list.map((e) => clean(e.requestId, 64)),
    ],
  );
}

/** Newest first; `persons` narrows to entries naming any of them (a number and its keyed hash). */
export async function listAudit(
  db: Queryable,
  opts: { persons?: string[]; limit: number },
): Promise<StoredAuditEntry[]> {
  const rows: Row[] = opts.persons
    ? await db.query(
        `SELECT at, actor, action, person, outcome FROM audit_log WHERE person = ANY($1)
          ORDER BY at DESC, id DESC LIMIT $2`,
        [opts.persons, opts.limit],
      )
    : await db.query(`SELECT at, actor, action, person, outcome FROM audit_log ORDER BY at DESC, id DESC LIMIT $1`, [
        opts.limit,
      ]);
  return rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    person: r.person,
    outcome: r.outcome,
  }));
}

/**
 * Forget (and retention's erasure of a gone person): their entries stay, so the institution can still
 * show who looked at them, but name them only by the keyed hash `kada pseudonym <number>` prints.
 * `mention` is personErasure's whole-word pattern, for entries of a look-up by username or e-mail.
 */
export async function pseudonymiseAudit(
  db: Queryable,
  personId: string,
  mention: string,
  key: string,
): Promise<number> {
  const rows = await db.query(
    `WITH changed AS (
       UPDATE audit_log SET person = $3
        WHERE person = $1 OR (person !~ '^p:[0-9a-f]{16}$' AND person ~* $2)
       RETURNING 1)
     SELECT count(*)::int AS n FROM changed`,
    [personId, mention, auditPseudonym(key, personId)],
  );
  return rows[0].n;
}

export const auditPseudonym = (key: string, personId: string) => pseudonym(key, personId);

/** Retention: entries older than `days` go (the trigger refuses any younger than a day). */
export async function pruneAudit(db: Queryable, days: number): Promise<number> {
  const rows = await db.query(
    `WITH gone AS (DELETE FROM audit_log WHERE at < now() - make_interval(days => $1) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [days],
  );
  return rows[0].n;
}
