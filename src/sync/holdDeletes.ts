import type { Op } from './personJob';

/**
 * The deletion guard's decisions for one person job (pure): which deletes count towards the hour's
 * allowance, and which of those run or are held once the allowance is known. Creates, updates (moves,
 * content changes, cancellations) and deletes that are not source removals are never held.
 */

/** `counted`: source-removal deletes not yet released by an operator; `free`: everything else. */
export function splitForGuard(ops: Op[], released: ReadonlySet<string>): { free: Op[]; counted: Op[] } {
  const free: Op[] = [];
  const counted: Op[] = [];
  for (const op of ops) {
    const guarded = op.kind === 'delete' && op.sourceRemoval === true && !released.has(op.eventId);
    (guarded ? counted : free).push(op);
  }
  return { free, counted };
}

/** The first `granted` counted deletes run; the rest are held. */
export function applyAllowance(counted: Op[], granted: number): { run: Op[]; hold: Op[] } {
  const n = Math.max(0, Math.min(granted, counted.length));
  return { run: counted.slice(0, n), hold: counted.slice(n) };
}
