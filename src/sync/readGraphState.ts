import { fingerprint } from '../desired/fingerprint';
import type { DesiredEvent } from '../domain/types';
import { listKadaEvents } from '../graph/readBack';
import { generationFromTransactionId } from '../graph/transactionId';
import type { GraphState, SyncContext } from './personJob';
import { observeExceptions } from './seriesExceptions';

/**
 * Reconcile's read: Graph's view as diff input. An event counts as up to date only if both its HASH
 * marker and what the person sees (fingerprint) match the desired event; an edited one gets a hash
 * that forces a PATCH. Each event's generation comes from its transactionId, so a store rebuilt from
 * Graph (a lost database) knows which transactionIds are used up. The weeks of series masters are
 * not listed with the events: they are read per master.
 */
export async function readGraphState(
  ctx: Pick<SyncContext, 'writer' | 'config'>,
  args: { mailbox: string; calendarId: string | null; desired: DesiredEvent[]; priority: number },
): Promise<GraphState> {
  const { mailbox, desired, priority } = args;
  const events = await listKadaEvents(ctx.writer, {
    mailbox,
    calendarId: args.calendarId,
    institution: ctx.config.institution,
    priority,
  });
  const want = new Map(desired.map((d) => [d.key, d]));
  let state: GraphState['state'] = [];
  const unkeyed: string[] = [];
  for (const e of events) {
    if (!e.key) {
      unkeyed.push(e.id);
      continue;
    }
    const d = want.get(e.key);
    const intact = d !== undefined && e.hash === d.hash && fingerprint(e) === fingerprint(d.content);
    const generation = generationFromTransactionId(mailbox, e.key, e.transactionId);
    state.push({
      key: e.key,
      graphEventId: e.id,
      hash: intact ? d.hash : `drift:${e.hash ?? ''}`,
      ...(generation !== null ? { generation } : {}),
    });
  }
  if (desired.some((d) => d.content.recurrence))
    state = state.concat(await observeExceptions(ctx.writer, { mailbox, desired, observed: state, priority }));
  return { state, unkeyed };
}
