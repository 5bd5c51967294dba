import { createCalendar, findCalendar } from '../graph/mailboxSetup';
import { getMailboxSetup, saveMailboxSetup } from '../store/mailboxes';
import { recordError } from '../store/errors';
import { forgetEvent, loadState } from '../store/syncedEvents';
import type { SyncContext, SyncOptions } from './personJob';

/**
 * CALENDAR_MODE=dedicated: the calendar kada made answered 404 (the person deleted it, and every
 * event in it went along). Thrown by the read or the write of a person job; the job then finds or
 * makes the calendar again and fills it anew.
 */
export class CalendarLostError extends Error {
  constructor(
    readonly mailbox: string,
    readonly calendarId: string,
  ) {
    super('the dedicated calendar kada writes into is gone from the mailbox');
    this.name = 'CalendarLostError';
  }
}

/**
 * Finds the calendar by name or makes it again, and forgets the person's records of events in the
 * lost one (each forget raises the key's generation, so the re-fill is not answered with them).
 * Returns false when the calendar was not lost after all (the recorded one is still found by name).
 */
export async function recoverCalendar(
  ctx: SyncContext,
  personId: string,
  lost: CalendarLostError,
  opts: SyncOptions,
): Promise<boolean> {
  const { db, writer, config } = ctx;
  const priority = opts.priority ?? 0;
  const name = config.calendar.name;
  const found = await findCalendar(writer, lost.mailbox, name, priority);
  if (found === lost.calendarId) return false;
  const calendarId = found ?? (await createCalendar(writer, lost.mailbox, name, priority));
  const setup = await getMailboxSetup(db, lost.mailbox);
  await saveMailboxSetup(db, lost.mailbox, {
    calendarId,
    categoryEnsured: setup?.categoryEnsured ?? false,
    categoryDenied: setup?.categoryDenied ?? false,
  });
  const stored = (await loadState(db, personId)).filter((s) => s.mailbox === lost.mailbox);
  for (const s of stored) await forgetEvent(db, personId, s.key, s.graphEventId);
  ctx.logger.warn({ personId, forgotten: stored.length }, 'dedicated calendar was gone: made again, re-filling');
  await recordError(db, {
    kind: 'person',
    code: 'CALENDAR_RECREATED',
    message: `kada's calendar "${name}" was gone from the person's mailbox; kada made it again and re-filled it`,
    personId,
    jobId: opts.jobId,
  });
  return true;
}
