import { OWNER_PROP } from '../../src/domain/markers';
import type { InspectedEvent } from '../graph/graphEmulator';
import type { Occurrence } from '../graph/graphRecurrence';
import type { Harness } from './harness';

/** kada's occurrences in a mailbox as the Graph emulator expands them (series into their weeks). */
export const kadaOccurrences = (h: Harness, mailbox: string) =>
  h.microsoft.graph.occurrences(mailbox).filter((o) => o.extendedProperties[OWNER_PROP] === 'uio');

/** What the person sees of one occurrence, independent of how it was written (single event or series). */
export const asSeen = (o: Occurrence<InspectedEvent>) => ({
  start: o.startUtc,
  end: o.endUtc,
  subject: o.subject,
  showAs: o.showAs,
  location: o.location.displayName,
  locations: o.locations.map((l) => l.displayName),
  body: o.body.content,
  categories: o.categories,
  reminder: o.isReminderOn,
});

/** What the person sees, in a stable order. */
export const mailboxView = (h: Harness, mailbox: string) =>
  kadaOccurrences(h, mailbox)
    .map(asSeen)
    .sort((a, b) =>
      a.start + a.subject < b.start + b.subject ? -1 : a.start + a.subject > b.start + b.subject ? 1 : 0,
    );
