import * as ical from 'node-ical';

/**
 * What a calendar application shows of an ICS feed, read by a real parser (node-ical): every VEVENT
 * and, for a series, every week of its RRULE with the RECURRENCE-ID overrides applied.
 */
export interface IcsOccurrence {
  uid: string;
  start: string;
  end: string;
  subject: string;
  location: string;
  description: string;
  cancelled: boolean;
  sequence: number;
  stamp: string;
}

const text = (v: unknown): string =>
  v == null ? '' : typeof v === 'string' ? v : String((v as { val?: unknown }).val ?? '');

export function icsOccurrences(body: string): IcsOccurrence[] {
  const parsed = ical.sync.parseICS(body);
  const out: IcsOccurrence[] = [];
  const from = new Date('1990-01-01T00:00:00Z');
  const to = new Date('2100-01-01T00:00:00Z');
  for (const c of Object.values(parsed)) {
    if (c?.type !== 'VEVENT') continue;
    const base = c as ical.VEvent;
    const instances = base.rrule
      ? ical.expandRecurringEvent(base, { from, to })
      : [{ start: base.start, end: base.end, event: base }];
    for (const i of instances) {
      const e = i.event;
      out.push({
        uid: text(e.uid),
        start: new Date(i.start).toISOString(),
        end: new Date(i.end ?? i.start).toISOString(),
        subject: text(e.summary),
        location: text(e.location),
        description: text(e.description),
        cancelled: text(e.status).toUpperCase() === 'CANCELLED',
        sequence: Number(e.sequence ?? 0),
        stamp: new Date(e.dtstamp).toISOString(),
      });
    }
  }
  return out.sort((a, b) => (a.start + a.subject < b.start + b.subject ? -1 : 1));
}
