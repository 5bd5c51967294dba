import type { AccessPolicy, AccessPolicyRule } from './graphAccessPolicy';
import type { RoomPlace, RoomPlaceInit } from './graphPlaces';
import type { FaultInjector, FaultKind, FaultMatch, Faults } from './graphFaults';
import { GraphHttpError } from './graphHttp';
import type { OutlookSettings } from './graphOutlookGate';
import type { Occurrence } from './graphRecurrence';
import type { GraphStats, LoggedRequest, RequestRecorder } from './graphStats';
import { renderEvent, type EventRecord, type MailboxRecord, type MailboxState, type MailboxStore } from './graphStore';
import { UTC_ZONE } from './graphTime';

/** The Graph emulator's inspection and control API: what tests read back, and what a user does by hand. */

/** A stored event as tests see it: Graph's UTC answer plus where it lives and its markers. */
export interface InspectedEvent {
  /** The immutable id (what kada, asking for immutable ids, gets). */
  id: string;
  /** The default id a client without `Prefer: IdType="ImmutableId"` gets; changes on every move between folders. */
  mutableId: string;
  calendarId: string;
  createdBy: 'app' | 'user';
  transactionId?: string;
  subject: string;
  showAs: string;
  categories: string[];
  isReminderOn: boolean;
  body: { contentType: string; content: string };
  location: { displayName: string; [k: string]: unknown };
  locations: { displayName: string; [k: string]: unknown }[];
  /** Instants as ISO strings in UTC (`...Z`). */
  startUtc: string;
  endUtc: string;
  originalStartTimeZone: string;
  /** Graph's event type: singleInstance, seriesMaster, occurrence or exception. */
  type: string;
  /** For an occurrence or exception: where the pattern put it (ISO, UTC). */
  originalStartUtc?: string;
  /** Single-value extended properties by id as written. */
  extendedProperties: Record<string, string>;
  /** The full Graph representation (UTC). */
  graph: Record<string, unknown>;
}

export interface GraphInspection {
  addMailbox(address: string, opts?: { displayName?: string; state?: MailboxState }): { id: string; address: string };
  /** A room resource: a room mailbox, listed by `GET /places/microsoft.graph.room` (graphPlaces.ts). */
  addRoom(room: RoomPlaceInit): RoomPlace;
  events(mailbox: string, calendarId?: string): InspectedEvent[];
  /**
   * What the person sees: single events, and every series master replaced by its instances (plain
   * occurrences with the master's content, exceptions with their own, cancelled ones gone), each with
   * its instance id and `seriesMasterId`. Sorted by start.
   */
  occurrences(mailbox: string, calendarId?: string): Occurrence<InspectedEvent>[];
  /** A stored event, or an occurrence or exception by its instance id. */
  event(mailbox: string, id: string): InspectedEvent | undefined;
  addUserEvent(mailbox: string, event: Record<string, unknown>, opts?: { calendarId?: string }): InspectedEvent;
  userEdit(mailbox: string, id: string, patch: Record<string, unknown>): InspectedEvent;
  userDelete(mailbox: string, id: string): void;
  duplicateEvent(mailbox: string, id: string): InspectedEvent;
  /** The Deleted Items folder: events deleted with DELETE (soft), not those deleted with permanentDelete. */
  deletedItems(mailbox: string): InspectedEvent[];
  /** A user restores an item from Deleted Items into its calendar (new default id, same immutable id). */
  restoreDeleted(mailbox: string, id: string): InspectedEvent;
  /** A user moves an event into another calendar of the mailbox (new default id, same immutable id). */
  moveEvent(mailbox: string, id: string, calendarId: string): InspectedEvent;
  calendars(mailbox: string): { id: string; name: string; isDefault: boolean }[];
  defaultCalendarId(mailbox: string): string;
  categories(mailbox: string): { id: string; displayName: string; color: string }[];
  stats(): GraphStats;
  resetStats(): void;
  requestLog(): LoggedRequest[];
  setFaults(f: Faults): void;
  failNext(kind: FaultKind, n?: number, match?: FaultMatch): void;
  clearFaults(): void;
  setLatency(latencyMs: number, jitterMs?: number): void;
  /** The app's limit; with `perMailbox` (a number) the per-mailbox reading, `n` being the overall cap. */
  setConcurrencyLimit(n: number, perMailbox?: number | null): void;
  /** Replaces the application access policy (null: every mailbox reachable). */
  setAccessPolicy(rule: AccessPolicyRule): void;
}

export function inspect(mb: MailboxRecord, ev: EventRecord): InspectedEvent {
  const graph = renderEvent(ev, {
    zone: UTC_ZONE,
    mailbox: mb,
    expand: [{ property: 'singleValueExtendedProperties' }],
  });
  const extendedProperties: Record<string, string> = {};
  for (const x of ev.single.values()) extendedProperties[x.id] = x.value;
  return {
    id: ev.id,
    mutableId: ev.mutableId,
    calendarId: ev.calendarId,
    createdBy: ev.createdBy,
    transactionId: ev.transactionId,
    subject: graph.subject as string,
    showAs: graph.showAs as string,
    categories: graph.categories as string[],
    isReminderOn: graph.isReminderOn as boolean,
    body: graph.body as InspectedEvent['body'],
    location: graph.location as InspectedEvent['location'],
    locations: graph.locations as InspectedEvent['locations'],
    startUtc: new Date(ev.startMs).toISOString(),
    endUtc: new Date(ev.endMs).toISOString(),
    originalStartTimeZone: ev.startTimeZone,
    type: graph.type as string,
    ...(ev.originalStartMs !== undefined ? { originalStartUtc: new Date(ev.originalStartMs).toISOString() } : {}),
    extendedProperties,
    graph,
  };
}

/** A user's own event, by default tomorrow at the next whole hour for an hour. */
function addUserEvent(
  store: MailboxStore,
  mailbox: string,
  event: Record<string, unknown>,
  o: { calendarId?: string } = {},
): InspectedEvent {
  const mb = store.find(mailbox) ?? store.addMailbox(mailbox);
  const start = new Date(Date.now() + 86_400_000);
  start.setUTCMinutes(0, 0, 0);
  const defaults = {
    subject: 'Lunch with a friend',
    start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
    end: { dateTime: new Date(start.getTime() + 3_600_000).toISOString().slice(0, 19), timeZone: 'UTC' },
  };
  const { event: ev } = store.createEvent(mb, o.calendarId ?? mb.defaultCalendarId, { ...defaults, ...event }, 'user');
  return inspect(mb, ev);
}

/** What a mailbox holds, as tests read it. */
function mailboxReads(store: MailboxStore) {
  return {
    events(mailbox: string, calendarId?: string): InspectedEvent[] {
      const mb = store.find(mailbox);
      return mb ? store.listEvents(mb, calendarId).map((ev) => inspect(mb, ev)) : [];
    },
    occurrences(mailbox: string, calendarId?: string): Occurrence<InspectedEvent>[] {
      const mb = store.find(mailbox);
      if (!mb) return [];
      const out: Occurrence<InspectedEvent>[] = [];
      for (const ev of store.listEvents(mb, calendarId)) {
        if (!ev.props.recurrence) out.push({ ...inspect(mb, ev), seriesMasterId: null });
        else for (const i of store.instances(ev)) out.push({ ...inspect(mb, i), seriesMasterId: ev.id });
      }
      return out.sort((a, b) => (a.startUtc < b.startUtc ? -1 : a.startUtc > b.startUtc ? 1 : 0));
    },
    event(mailbox: string, id: string): InspectedEvent | undefined {
      const mb = store.find(mailbox);
      if (!mb) return undefined;
      try {
        return inspect(mb, store.event(mb, id));
      } catch (err) {
        if (err instanceof GraphHttpError && err.status === 404) return undefined;
        throw err;
      }
    },
    calendars(mailbox: string) {
      const mb = store.find(mailbox);
      return mb
        ? [...mb.calendars.values()]
            .sort((a, b) => a.seq - b.seq)
            .map((c) => ({ id: c.id, name: c.name, isDefault: c.isDefault }))
        : [];
    },
    defaultCalendarId(mailbox: string) {
      return (store.find(mailbox) ?? store.addMailbox(mailbox)).defaultCalendarId;
    },
    categories(mailbox: string) {
      const mb = store.find(mailbox);
      return mb ? [...mb.categories.values()].map((c) => ({ ...c })) : [];
    },
    deletedItems(mailbox: string): InspectedEvent[] {
      const mb = store.find(mailbox);
      return mb ? [...mb.deletedItems.values()].map((ev) => inspect(mb, ev)) : [];
    },
  };
}

/** What a user does in Outlook behind kada's back. */
function userActions(store: MailboxStore) {
  const mailboxFor = (address: string): MailboxRecord => {
    const mb = store.find(address);
    if (!mb) throw new Error(`graph emulator: no mailbox ${address}`);
    return mb;
  };
  return {
    addRoom(room: RoomPlaceInit) {
      store.addMailbox(room.emailAddress, { displayName: room.displayName });
      return store.places.add(room);
    },
    addMailbox(address: string, o?: { displayName?: string; state?: MailboxState }) {
      const mb = store.addMailbox(address, o);
      return { id: mb.id, address: mb.address };
    },
    addUserEvent: (mailbox: string, event: Record<string, unknown>, o?: { calendarId?: string }) =>
      addUserEvent(store, mailbox, event, o),
    userEdit(mailbox: string, id: string, patch: Record<string, unknown>): InspectedEvent {
      const mb = mailboxFor(mailbox);
      return inspect(mb, store.updateEvent(mb, id, patch));
    },
    userDelete(mailbox: string, id: string) {
      store.deleteEvent(mailboxFor(mailbox), id);
    },
    duplicateEvent(mailbox: string, id: string): InspectedEvent {
      const mb = mailboxFor(mailbox);
      return inspect(mb, store.duplicateEvent(mb, id));
    },
    restoreDeleted(mailbox: string, id: string): InspectedEvent {
      const mb = mailboxFor(mailbox);
      return inspect(mb, store.restoreDeleted(mb, id));
    },
    moveEvent(mailbox: string, id: string, calendarId: string): InspectedEvent {
      const mb = mailboxFor(mailbox);
      return inspect(mb, store.moveToCalendar(mb, id, calendarId));
    },
  };
}

/** Counters, faults and the knobs of the limits. */
function controls(recorder: RequestRecorder, faults: FaultInjector, settings: OutlookSettings) {
  return {
    stats(): GraphStats {
      return structuredClone({ ...recorder.stats, faults: { ...faults.injected } });
    },
    resetStats() {
      recorder.reset();
      for (const k of Object.keys(faults.injected)) delete faults.injected[k];
    },
    requestLog: () => recorder.requestLog(),
    setFaults: (f: Faults) => faults.set(f),
    failNext: (kind: FaultKind, n = 1, match?: FaultMatch) => faults.failNext(kind, n, match),
    clearFaults: () => faults.clear(),
    setLatency(l: number, j = 0) {
      settings.latencyMs = l;
      settings.jitterMs = j;
    },
    setConcurrencyLimit(n: number, perMailbox?: number | null) {
      settings.concurrencyLimit = n;
      if (perMailbox !== undefined) settings.mailboxConcurrencyLimit = perMailbox;
    },
  };
}

export function graphInspection(
  store: MailboxStore,
  recorder: RequestRecorder,
  faults: FaultInjector,
  settings: OutlookSettings,
  policy: AccessPolicy,
): GraphInspection {
  const setAccessPolicy = (rule: AccessPolicyRule) => policy.set(rule);
  return { ...mailboxReads(store), ...userActions(store), ...controls(recorder, faults, settings), setAccessPolicy };
}
