import { enqueuePersonsAt } from '../jobs/enqueueLater';
import { PRIORITY } from '../jobs/types';
import { clearSighting, recordSighting, type WipeKind } from '../store/wipeSightings';
import type { Queryable } from '../store/queryable';
import { confirmWipe, type WipeDecision } from './wipeConfirmation';

export interface ConfirmOptions {
  /** A forced rebuild acts on what the source says at once. */
  immediate: boolean;
  delayMs: number;
}

/**
 * One sighting of a wipe-out: recorded, then decided (wipeConfirmation.ts). Acting clears the sighting;
 * waiting queues the persons concerned again for when the second sighting can confirm it.
 */
export async function sightWipe(
  db: Queryable,
  kind: WipeKind,
  subject: string,
  opts: ConfirmOptions & { recheck: string[] },
): Promise<WipeDecision> {
  if (opts.immediate) {
    await clearSighting(db, kind, subject);
    return { act: true };
  }
  const seen = await recordSighting(db, kind, subject);
  const decision = confirmWipe({ ...seen, delayMs: opts.delayMs, immediate: false });
  if (decision.act) await clearSighting(db, kind, subject);
  else
    await enqueuePersonsAt(db, opts.recheck, decision.confirmAt, {
      priority: PRIORITY.reconcile,
      reason: `confirm ${kind} wipe-out`,
    });
  return decision;
}
