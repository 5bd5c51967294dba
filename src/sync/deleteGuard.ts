import { recordError } from '../store/errors';
import { countHeld, guardTripped, releasedDeletes, replaceHeld, takeDeleteAllowance } from '../store/heldDeletes';
import { applyAllowance, splitForGuard } from './holdDeletes';
import type { Op, SyncContext, SyncOptions } from './personJob';

/**
 * KADA_DELETE_GUARD in a person job (service.md): source-removal deletes take from the installation's
 * hourly allowance; beyond it, or while earlier held deletions wait for an operator, they are held
 * instead of executed. Deletes an operator released run. Returns the ops to write.
 */
export async function guardDeletes(ctx: SyncContext, personId: string, ops: Op[], opts: SyncOptions): Promise<Op[]> {
  const { db } = ctx;
  const released = await releasedDeletes(db, personId);
  const { free, counted } = splitForGuard(ops, released);
  // Held deletions wait for an operator's verdict: the next ones join them rather than slip through.
  const granted =
    counted.length === 0 || (await guardTripped(db))
      ? 0
      : await takeDeleteAllowance(db, counted.length, ctx.config.deleteGuard);
  const { run, hold } = applyAllowance(counted, granted);
  await replaceHeld(
    db,
    personId,
    hold.map((op) => ({ graphEventId: eventIdOf(op), mailbox: op.mailbox, key: op.key })),
  );
  if (hold.length > 0) {
    ctx.logger.warn(
      { personId, held: hold.length, limit: ctx.config.deleteGuard, ...(opts.jobId ? { jobId: opts.jobId } : {}) },
      'deletion guard: deletions held for an operator (kada deletes --release | --drop)',
    );
    await recordError(db, {
      kind: 'job',
      code: 'DELETES_HELD',
      message:
        `${hold.length} deletion(s) held by KADA_DELETE_GUARD (${ctx.config.deleteGuard} per hour); ` +
        'release or drop them with kada deletes',
      personId,
      jobId: opts.jobId,
      details: { held: hold.length, limit: ctx.config.deleteGuard },
    });
  }
  if (hold.length > 0 || released.size > 0) ctx.metrics?.deletesHeld.set((await countHeld(db)).held);
  return [...free, ...run];
}

function eventIdOf(op: Op): string {
  return op.kind === 'delete' || op.kind === 'update' ? op.eventId : '';
}
