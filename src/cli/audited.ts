import { userInfo } from 'node:os';
import type { AppContext } from '../app/context';
import { type AuditAction, type AuditOutcome, auditPseudonym, writeAudit } from '../store/audit';
import type { Queryable } from '../store/queryable';
import { UnknownPersonError } from './usage';
import { personOrFail } from './withContext';

/**
 * The CLI's part of the audit trail (service.md): `kada rebuild`, `diff`, `forget`, `status <person>`
 * and `deletes --release/--drop` write one entry each, as `cli:<os user>`. Written after the command
 * did its work, so the outcome is known; a failed write fails the command (exit 1), loudly.
 */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // A container user without a passwd entry has no name, only its uid.
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

export async function recordCli(
  db: Queryable,
  action: AuditAction,
  persons: (string | null)[],
  outcome: AuditOutcome,
): Promise<void> {
  const actor = cliActor();
  await writeAudit(
    db,
    persons.map((person) => ({ actor, action, person, outcome })),
  );
}

/**
 * Runs `work` and records it for `persons`: `ok` if it resolves (or as `outcomeOf` judges the result;
 * `okPersons` may name whom the result concerned), `error` if it throws; the error is rethrown.
 */
export async function auditedRun<T>(
  db: Queryable,
  action: AuditAction,
  persons: (string | null)[],
  work: () => Promise<T>,
  opts: { outcomeOf?: (r: T) => AuditOutcome; okPersons?: (r: T) => (string | null)[] } = {},
): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await recordCli(db, action, persons, 'error').catch((e) =>
      process.stderr.write(`kada: audit entry not written: ${(e as Error).message}\n`),
    );
    throw err;
  }
  const outcome = opts.outcomeOf?.(result) ?? 'ok';
  await recordCli(db, action, outcome === 'ok' && opts.okPersons ? opts.okPersons(result) : persons, outcome);
  return result;
}

/**
 * A command on one person: resolves them as every command does (an unknown person is an `error`
 * entry naming what was typed) and runs `work` audited. A successful forget's entry, like the
 * forgotten person's older ones, names them only by the keyed hash.
 */
export async function auditedPerson<T>(
  ctx: Pick<AppContext, 'db' | 'fs' | 'config'>,
  action: AuditAction,
  query: string,
  work: (personId: string) => Promise<T>,
  outcomeOf?: (r: T) => AuditOutcome,
): Promise<{ personId: string; result: T }> {
  let personId: string;
  try {
    personId = await personOrFail(ctx, query);
  } catch (err) {
    if (err instanceof UnknownPersonError) await recordCli(ctx.db, action, [query.trim()], 'error');
    throw err;
  }
  const hashed = auditPseudonym(ctx.config.logKey, personId);
  const result = await auditedRun(ctx.db, action, [personId], () => work(personId), {
    outcomeOf,
    okPersons: action === 'forget' ? () => [hashed] : undefined,
  });
  return { personId, result };
}
