import type { Client } from '@microsoft/microsoft-graph-client';
import { DateTime } from 'luxon';
import { ianaZoneName } from '../domain/timeZoneNames';
import type { ObservedEvent } from '../desired/fingerprint';
import type { GraphWriter } from './writer';

/** One week of a series master as Graph has it: a plain occurrence or an exception. */
export interface SeriesInstance extends ObservedEvent {
  id: string;
  type: string;
  /** The local date (in the master's time zone, Windows or IANA name) the occurrence had before any change. */
  originalDate: string;
}

interface InstancesPage {
  value?: (ObservedEvent & { id: string; type?: string; originalStart?: string })[];
  '@odata.nextLink'?: string;
}

const SELECT = 'id,type,originalStart,subject,start,end,showAs,location,categories,isReminderOn';
const DAY = 86_400_000;

export class InstancesGoneError extends Error {
  constructor(readonly masterId: string) {
    super(`series master ${masterId} is gone`);
  }
}

/**
 * Reads every instance of a series master between two local dates (its recurrence range). The first
 * page rides in the writer's batches like a write; a long series pages on by @odata.nextLink.
 * Instances are matched by originalStart, which a move does not change.
 */
export async function readInstances(
  writer: GraphWriter,
  opts: {
    mailbox: string;
    masterId: string;
    firstDate: string;
    lastDate: string;
    zone: string;
    key: string;
    priority?: number;
  },
): Promise<SeriesInstance[]> {
  const from = new Date(Date.parse(`${opts.firstDate}T00:00:00Z`) - 2 * DAY).toISOString();
  const to = new Date(Date.parse(`${opts.lastDate}T00:00:00Z`) + 3 * DAY).toISOString();
  const path =
    `events/${encodeURIComponent(opts.masterId)}/instances?startDateTime=${encodeURIComponent(from)}` +
    `&endDateTime=${encodeURIComponent(to)}&$select=${SELECT}&$top=100`;
  const first = await writer.write({ kind: 'read', mailbox: opts.mailbox, path, key: opts.key }, opts.priority ?? 0);
  if (!first.ok) {
    if (first.gone) throw new InstancesGoneError(opts.masterId);
    throw Object.assign(
      new Error(`reading the instances of ${opts.key} failed: ${first.status} ${first.code}: ${first.message}`),
      {
        statusCode: first.status,
      },
    );
  }
  // The master's zone as written: a Windows name, which luxon does not know (every week would be lost).
  const zone = ianaZoneName(opts.zone) ?? 'utc';
  const out: SeriesInstance[] = [];
  let page = (first.body ?? {}) as InstancesPage;
  for (;;) {
    for (const e of page.value ?? []) {
      if (!e.originalStart) continue;
      const originalDate = DateTime.fromISO(e.originalStart, { zone: 'utc' }).setZone(zone).toISODate();
      if (!originalDate) continue;
      out.push({ ...e, type: e.type ?? 'occurrence', originalDate });
    }
    const next = page['@odata.nextLink'];
    if (!next) return out;
    if (out.length > 2_000) throw new Error(`more than 2,000 instances of ${opts.key}: refusing to page further`);
    page = await writer.call(
      (client: Client, signal) => client.api(next).options({ signal }).get() as Promise<InstancesPage>,
      { priority: opts.priority, mailbox: opts.mailbox },
    );
  }
}
