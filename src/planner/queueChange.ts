import { enqueuePersons } from '../jobs/enqueue';
import { PRIORITY } from '../jobs/types';
import { personsInStep } from '../store/persons';
import type { Queryable } from '../store/queryable';

/**
 * The priority of a change's jobs (service.md "Order of work"): a person kada has not synced yet is
 * filled, at fill priority; a person in step gets the change's own (`change`). A course change is
 * near when it touches the next 14 days (nearTerm.ts); `kada enqueue-course` fills whoever it
 * reaches. An FS change of a person (registrations, roles, mailbox) concerns all their weeks, the
 * next 14 days included, so it is near.
 */
export function courseChangePriority(fan: { nearTerm: boolean }, manual: boolean): number {
  if (manual) return PRIORITY.fill;
  return fan.nearTerm ? PRIORITY.nearChange : PRIORITY.notification;
}

/** Priority of each person of an FS person notification: near for persons in step, fill otherwise. */
export async function personChangePriorities(db: Queryable, personIds: string[]): Promise<Map<string, number>> {
  const inStep = new Set(await personsInStep(db, personIds));
  return new Map(personIds.map((p) => [p, inStep.has(p) ? PRIORITY.nearChange : PRIORITY.fill]));
}

/** Queues the persons a change reaches: those in step at `change`, the others at fill priority. */
export async function queueChange(
  db: Queryable,
  personIds: string[],
  opts: { change: number; reason: string; maxAttempts?: number },
): Promise<number> {
  const inStep = new Set(await personsInStep(db, personIds));
  const groups = [
    { ids: personIds.filter((p) => inStep.has(p)), priority: opts.change },
    { ids: personIds.filter((p) => !inStep.has(p)), priority: Math.min(opts.change, PRIORITY.fill) },
  ];
  let queued = 0;
  for (const g of groups)
    if (g.ids.length)
      queued += await enqueuePersons(db, g.ids, {
        priority: g.priority,
        reason: opts.reason,
        maxAttempts: opts.maxAttempts,
      });
  return queued;
}
