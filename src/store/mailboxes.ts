import type { Queryable } from './queryable';

/** Per-mailbox one-time set-up (kada's category, the dedicated calendar's id). */
export interface MailboxSetup {
  calendarId: string | null;
  categoryEnsured: boolean;
  /** Graph refused the category list (403): the colour step is skipped until a forced rebuild. */
  categoryDenied: boolean;
}

export async function getMailboxSetup(db: Queryable, mailbox: string): Promise<MailboxSetup | null> {
  const rows = await db.query(
    `SELECT calendar_id, category_ensured, category_denied FROM mailboxes WHERE mailbox = $1`,
    [mailbox],
  );
  const r = rows[0];
  return r
    ? { calendarId: r.calendar_id, categoryEnsured: r.category_ensured, categoryDenied: r.category_denied }
    : null;
}

export async function saveMailboxSetup(db: Queryable, mailbox: string, s: MailboxSetup): Promise<void> {
  await db.query(
    `INSERT INTO mailboxes (mailbox, calendar_id, category_ensured, category_denied) VALUES ($1, $2, $3, $4)
     ON CONFLICT (mailbox) DO UPDATE
       SET calendar_id = $2, category_ensured = $3, category_denied = $4, updated_at = now()`,
    [mailbox, s.calendarId, s.categoryEnsured, s.categoryDenied],
  );
}
