import { byKey, type DesiredEvent, type SyncPlan, type SyncedEvent } from '../domain/types';

/**
 * What to write so a person's calendar matches `desired`, given what kada wrote before (`state`).
 * Unchanged events (same hash) are left alone, so user notes and Graph quota are spared. If the
 * state holds one key twice (a duplicate left by a create that failed and still succeeded), the
 * copy whose hash matches is kept and the others are deleted. Each list is sorted by key.
 */
export function diff(desired: readonly DesiredEvent[], state: readonly SyncedEvent[]): SyncPlan {
  const want = new Map<string, DesiredEvent>();
  for (const d of desired) if (!want.has(d.key)) want.set(d.key, d);

  const have = new Map<string, SyncedEvent>();
  const plan: SyncPlan = { creates: [], updates: [], deletes: [] };
  for (const s of state) {
    const kept = have.get(s.key);
    if (!kept) {
      have.set(s.key, s);
      continue;
    }
    const d = want.get(s.key);
    const replace = d !== undefined && kept.hash !== d.hash && s.hash === d.hash;
    const drop = replace ? kept : s;
    if (replace) have.set(s.key, s);
    plan.deletes.push({ kind: 'delete', key: drop.key, graphEventId: drop.graphEventId });
  }

  for (const [key, d] of want) {
    const s = have.get(key);
    if (!s) plan.creates.push({ kind: 'create', key, desired: d });
    else if (s.hash !== d.hash) plan.updates.push({ kind: 'update', key, graphEventId: s.graphEventId, desired: d });
  }
  for (const [key, s] of have) {
    if (!want.has(key)) plan.deletes.push({ kind: 'delete', key, graphEventId: s.graphEventId });
  }
  plan.creates.sort(byKey);
  plan.updates.sort(byKey);
  plan.deletes.sort(byKey);
  return plan;
}

/** True when the plan writes nothing. */
export const isEmptyPlan = (plan: SyncPlan) =>
  plan.creates.length === 0 && plan.updates.length === 0 && plan.deletes.length === 0;

/**
 * The state after every write of `plan` succeeded; `idFor` stands in for the id Graph gives a
 * created event. Pure, so tests can check that a plan really leads to the desired state.
 */
export function applyPlan(
  state: readonly SyncedEvent[],
  plan: SyncPlan,
  idFor: (key: string) => string,
): SyncedEvent[] {
  const deleted = new Set(plan.deletes.map((d) => d.graphEventId));
  const updated = new Map(plan.updates.map((u) => [u.graphEventId, u.desired.hash]));
  const next: SyncedEvent[] = [];
  for (const s of state) {
    if (deleted.has(s.graphEventId)) continue;
    const hash = updated.get(s.graphEventId);
    next.push(hash === undefined ? s : { ...s, hash });
  }
  for (const c of plan.creates) next.push({ key: c.key, graphEventId: idFor(c.key), hash: c.desired.hash });
  return next.sort(byKey);
}
