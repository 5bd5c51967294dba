import type { Config } from '../config/config';
import { listKadaEvents } from '../graph/readBack';
import type { GraphWrite, GraphWriter } from '../graph/writer';
import { getMailboxSetup } from '../store/mailboxes';
import { mailboxTakenByOther } from '../store/persons';
import type { Queryable } from '../store/queryable';
import { loadState } from '../store/syncedEvents';

/** Graph could not be read or did not take every delete: nothing may be erased yet. */
export class CalendarRemovalError extends Error {
  readonly code = 'GRAPH_UNAVAILABLE';
}

export interface CalendarRemoval {
  /** Events deleted, or already gone when kada came to delete them. */
  eventsDeleted: number;
  /** Mailboxes looked at. */
  mailboxes: number;
}

/**
 * Removes every event kada made for one person: the ones it recorded, and whatever carries this
 * institution's OWNER marker in their mailboxes (a record lost to a crash must not leave an event
 * behind). A mailbox another active person holds now is not read back: their kada events are theirs.
 */
export async function removeKadaEvents(
  ctx: { db: Queryable; writer: GraphWriter; config: Pick<Config, 'institution'> },
  who: { personId: string; mailboxes: string[] },
  priority: number,
): Promise<CalendarRemoval> {
  const stored = await loadState(ctx.db, who.personId);
  const deletes = new Map<string, GraphWrite>();
  const add = (mailbox: string, eventId: string, key: string) =>
    deletes.set(`${mailbox.toLowerCase()} ${eventId}`, { kind: 'delete', mailbox, eventId, key });
  for (const s of stored) if (s.graphEventId) add(s.mailbox, s.graphEventId, s.key);

  const mailboxes = [...new Set([...who.mailboxes, ...stored.map((s) => s.mailbox)].map((m) => m.toLowerCase()))];
  for (const mailbox of mailboxes) {
    if (await mailboxTakenByOther(ctx.db, mailbox, who.personId)) continue;
    const dedicated = (await getMailboxSetup(ctx.db, mailbox))?.calendarId ?? null;
    for (const calendarId of dedicated ? [null, dedicated] : [null]) {
      const found = await readBack(ctx, mailbox, calendarId, priority);
      for (const e of found) add(mailbox, e.id, e.key ?? '(no key)');
    }
  }

  const results = await ctx.writer.writeAll([...deletes.values()], priority);
  // A delete of an event that is already gone is answered as done by the writer (404 on DELETE).
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    const first = failed[0]!;
    const why = first.ok ? '' : `${first.status} ${first.code}`;
    throw new CalendarRemovalError(
      `${failed.length} of ${results.length} kada event(s) could not be removed from the calendar (first: ${why})`,
    );
  }
  return { eventsDeleted: results.length, mailboxes: mailboxes.length };
}

async function readBack(
  ctx: { writer: GraphWriter; config: Pick<Config, 'institution'> },
  mailbox: string,
  calendarId: string | null,
  priority: number,
) {
  try {
    return await listKadaEvents(ctx.writer, { mailbox, calendarId, institution: ctx.config.institution, priority });
  } catch (err) {
    // A mailbox (or dedicated calendar) that no longer exists holds no kada events.
    if ((err as { statusCode?: number }).statusCode === 404) return [];
    throw new CalendarRemovalError(
      `the calendar could not be read back (${(err as { statusCode?: number }).statusCode ?? (err as Error).message})`,
    );
  }
}
