import type { Client } from '@microsoft/microsoft-graph-client';
import type { GraphWriter } from './writer';

/** kada's category in each mailbox's master list, so the events get their colour. */
export async function ensureCategory(
  writer: GraphWriter,
  mailbox: string,
  displayName: string,
  priority = 0,
): Promise<void> {
  const base = `/users/${encodeURIComponent(mailbox)}/outlook/masterCategories`;
  const existing = await writer.call(
    (c: Client, signal) => c.api(base).options({ signal }).get() as Promise<{ value: { displayName: string }[] }>,
    { priority },
  );
  if (existing.value.some((c) => c.displayName.toLowerCase() === displayName.toLowerCase())) return;
  try {
    await writer.call((c: Client, signal) => c.api(base).options({ signal }).post({ displayName, color: 'preset7' }), {
      priority,
      method: 'POST',
    });
  } catch (err) {
    // 409: created meanwhile by another kada process or the user: that is what we wanted.
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  }
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
    { priority },
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
    { priority, method: 'POST' },
  );
  return created.id;
}

const calendarsOf = (mailbox: string) => `/users/${encodeURIComponent(mailbox)}/calendars`;
