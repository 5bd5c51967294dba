import type { Client } from '@microsoft/microsoft-graph-client';
import type { GraphWriter } from './writer';

/** `ensured`: the category is in the master list; `denied`: Graph refused the list (403), so no colour. */
export type CategoryOutcome = 'ensured' | 'denied';

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/**
 * kada's category in the mailbox's master list, so the events get their colour. Optional (graph.md):
 * the list needs MailboxSettings.Read/ReadWrite, which a tenant may refuse; a 403 on reading or
 * creating is that refusal, not an error of the sync. The events carry the category name either way.
 */
export async function ensureCategory(
  writer: GraphWriter,
  mailbox: string,
  displayName: string,
  priority = 0,
): Promise<CategoryOutcome> {
  const base = `/users/${encodeURIComponent(mailbox)}/outlook/masterCategories`;
  try {
    const existing = await writer.call(
      (c: Client, signal) => c.api(base).options({ signal }).get() as Promise<{ value: { displayName: string }[] }>,
      { priority, mailbox },
    );
    if (existing.value.some((c) => c.displayName.toLowerCase() === displayName.toLowerCase())) return 'ensured';
    await writer.call((c: Client, signal) => c.api(base).options({ signal }).post({ displayName, color: 'preset7' }), {
      priority,
      method: 'POST',
      mailbox,
    });
  } catch (err) {
    if (statusOf(err) === 403) return 'denied';
    // 409: created meanwhile by another kada process or the user: that is what we wanted.
    if (statusOf(err) !== 409) throw err;
  }
  return 'ensured';
}

/** The dedicated calendar (CALENDAR_MODE=dedicated) by its name; null when the mailbox has none yet. */
export async function findCalendar(
  writer: GraphWriter,
  mailbox: string,
  name: string,
  priority = 0,
): Promise<string | null> {
  const list = await writer.call(
    (c: Client, signal) =>
      c.api(calendarsOf(mailbox)).top(250).options({ signal }).get() as Promise<{
        value: { id: string; name: string }[];
      }>,
    { priority, mailbox },
  );
  return list.value.find((c) => c.name === name)?.id ?? null;
}

/** Makes the dedicated calendar; returns its id. */
export async function createCalendar(
  writer: GraphWriter,
  mailbox: string,
  name: string,
  priority = 0,
): Promise<string> {
  const created = await writer.call(
    (c: Client, signal) => c.api(calendarsOf(mailbox)).options({ signal }).post({ name }) as Promise<{ id: string }>,
    { priority, method: 'POST', mailbox },
  );
  return created.id;
}

const calendarsOf = (mailbox: string) => `/users/${encodeURIComponent(mailbox)}/calendars`;
