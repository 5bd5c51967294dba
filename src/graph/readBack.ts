import type { Client } from '@microsoft/microsoft-graph-client';
import { HASH_PROP, KEY_PROP, OWNER_PROP } from '../domain/markers';
import type { ObservedEvent } from '../desired/fingerprint';
import type { GraphWriter } from './writer';

/** One of kada's events as read back from Graph (only events carrying kada's OWNER marker). */
export interface KadaGraphEvent extends ObservedEvent {
  id: string;
  key: string | null;
  hash: string | null;
  /** The create's transactionId (Graph returns it only when the app set one); tells the event's generation. */
  transactionId?: string | null;
}

interface GraphEventPage {
  value: (ObservedEvent & {
    id: string;
    transactionId?: string | null;
    singleValueExtendedProperties?: { id: string; value: string }[];
  })[];
  '@odata.nextLink'?: string;
}

const SELECT = 'id,subject,start,end,showAs,location,categories,isReminderOn,transactionId';

/**
 * Reads every event of this institution's kada in one mailbox (paged by @odata.nextLink). The filter
 * is on the OWNER marker, so kada never even reads a user's own events.
 */
export async function listKadaEvents(
  writer: GraphWriter,
  opts: { mailbox: string; calendarId: string | null; institution: string; pageSize?: number; priority?: number },
): Promise<KadaGraphEvent[]> {
  const m = encodeURIComponent(opts.mailbox);
  const path = opts.calendarId
    ? `/users/${m}/calendars/${encodeURIComponent(opts.calendarId)}/events`
    : `/users/${m}/events`;
  const ownerIs = `ep/id eq '${OWNER_PROP}' and ep/value eq '${opts.institution}'`;
  const filter = `singleValueExtendedProperties/Any(ep: ${ownerIs})`;
  const expand = `singleValueExtendedProperties($filter=id eq '${KEY_PROP}' or id eq '${HASH_PROP}')`;
  const out: KadaGraphEvent[] = [];
  let next: string | undefined;
  let first = true;
  while (first || next) {
    const url = next;
    const page = await writer.call(
      (client: Client, signal) =>
        (url
          ? client.api(url).options({ signal }).get()
          : client
              .api(path)
              .filter(filter)
              .expand(expand)
              .select(SELECT)
              .top(opts.pageSize ?? 100)
              .options({ signal })
              .get()) as Promise<GraphEventPage>,
      { priority: opts.priority, mailbox: opts.mailbox },
    );
    first = false;
    for (const e of page.value ?? []) {
      const props = new Map((e.singleValueExtendedProperties ?? []).map((p) => [p.id.toLowerCase(), p.value]));
      out.push({
        id: e.id,
        key: props.get(KEY_PROP.toLowerCase()) ?? null,
        hash: props.get(HASH_PROP.toLowerCase()) ?? null,
        transactionId: e.transactionId ?? null,
        subject: e.subject,
        start: e.start,
        end: e.end,
        showAs: e.showAs,
        location: e.location,
        categories: e.categories,
        isReminderOn: e.isReminderOn,
      });
    }
    next = page['@odata.nextLink'];
    if (next && out.length > 100_000)
      throw new Error('more than 100,000 kada events in one mailbox: refusing to page further');
  }
  return out;
}
