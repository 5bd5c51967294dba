import type { Queryable } from './queryable';

/** Per-mailbox one-time set-up (kada's category, the dedicated calendar's id). */
export interface MailboxSetup {
  calendarId: string | null;
  categoryEnsured: boolean;
}

export async function getMailboxSetup(db: Queryable, mailbox: string): Promise<MailboxSetup | null> {
  const rows = await db.query(`SELECT calendar_id, category_ensured FROM mailboxes WHERE mailbox = $1`, [mailbox]);
  return rows[0] ? { calendarId: rows[0].calendar_id, categoryEnsured: rows[0].category_ensured } : null;
}

export async function saveMailboxSetup(db: Queryable, mailbox: string, s: MailboxSetup): Promise<void> {
  await db.query(
    `INSERT INTO mailboxes (mailbox, calendar_id, category_ensured) VALUES ($1, $2, $3)
     ON CONFLICT (mailbox) DO UPDATE SET calendar_id = $2, category_ensured = $3, updated_at = now()`,
    [mailbox, s.calendarId, s.categoryEnsured],
  );
}
