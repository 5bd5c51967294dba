import { randomBytes, randomUUID } from 'node:crypto';
import { RoomDirectory } from './graphPlaces';
import { DateTime } from 'luxon';
import { invalidExtendedPropertyId, normalizeExtendedPropertyId, validateObject } from './graphEventSchema';
import { GraphHttpError, badRequest } from './graphHttp';
import { evaluateFilter, type ExpandItem, type Literal } from './graphQuery';
import {
  crossesAdjacentOccurrence,
  expandRecurrence,
  seriesInstances,
  seriesZone,
  type Recurrence,
  type SeriesChanges,
  type SeriesStart,
} from './graphRecurrence';
import {
  NEVER,
  formatDateTimeTimeZone,
  isoUtc,
  parseDateTimeTimeZone,
  resolveTimeZone,
  timeZoneNotSupported,
  type ResponseZone,
} from './graphTime';

/**
 * The emulated Exchange mailboxes: calendars, events (stored as instants with their extended
 * properties), master categories and the transactionId index that makes creates idempotent.
 * Pure in-memory state with the rules Exchange applies on write; HTTP lives elsewhere.
 */

/**
 * `noMailbox`: a user without a usable Exchange Online mailbox (404 MailboxNotEnabledForRESTAPI);
 * `invalidUser`: the address names no user any more (404 ErrorInvalidUser); `accessDenied`: 403 ErrorAccessDenied.
 */
export type MailboxState = 'enabled' | 'noMailbox' | 'invalidUser' | 'accessDenied';

export interface ExtendedProperty {
  id: string;
  value: string;
}

export interface EventRecord {
  /** The immutable id (concepts/outlook-immutable-id): stable for the item's life in the mailbox. */
  id: string;
  /** The default (mutable) id: a new one whenever the item moves to another folder. */
  mutableId: string;
  calendarId: string;
  seq: number;
  createdBy: 'app' | 'user';
  createdMs: number;
  modifiedMs: number;
  changeKey: string;
  iCalUId: string;
  transactionId?: string;
  /** Validated writable properties other than start/end and extended properties. */
  props: Record<string, unknown>;
  startMs: number;
  endMs: number;
  startTimeZone: string;
  endTimeZone: string;
  single: Map<string, ExtendedProperty>;
  multi: Map<string, { id: string; value: string[] }>;
  /** For an occurrence or exception of a series: its master and its slot in the pattern. */
  seriesMasterId?: string;
  originalStartMs?: number;
  /** For a series master: occurrences the person changed (a full copy each, by original start) or cancelled. */
  exceptions?: Map<number, EventRecord>;
  cancelled?: Set<number>;
}

export interface CalendarRecord {
  id: string;
  name: string;
  color: string;
  hexColor: string;
  changeKey: string;
  isDefault: boolean;
  seq: number;
}

export interface CategoryRecord {
  id: string;
  displayName: string;
  color: string;
}

export interface MailboxRecord {
  id: string;
  address: string;
  displayName: string;
  state: MailboxState;
  defaultCalendarId: string;
  calendars: Map<string, CalendarRecord>;
  events: Map<string, EventRecord>;
  categories: Map<string, CategoryRecord>;
  transactions: Map<string, string>;
  /** The current mutable id of every item (calendars and Deleted Items) -> its immutable id. */
  mutableIds: Map<string, string>;
  /** The Deleted Items folder: events deleted with DELETE, by immutable id, with the calendar they came from. */
  deletedItems: Map<string, EventRecord & { deletedFrom: string }>;
}

let seqCounter = 0;
const nextSeq = () => ++seqCounter;

/** Exchange ids are long base64 strings; these look alike and are URL-path safe once encoded. */
function exchangeId(prefix: string): string {
  return `${prefix}${randomBytes(36).toString('base64url')}=`;
}

/**
 * Immutable and default ids look different, as Exchange's do (`AAkALg...` vs `AAMkAG...`), so a test
 * can tell which kind a client got (concepts/outlook-immutable-id).
 */
export const IMMUTABLE_ID_PREFIX = 'AAkALgAA';
export const MUTABLE_ID_PREFIX = 'AAMkAGI';
const newImmutableId = () => exchangeId(IMMUTABLE_ID_PREFIX);
const newMutableId = () => exchangeId(MUTABLE_ID_PREFIX);

const changeKey = () => randomBytes(12).toString('base64');

/**
 * An occurrence's id: derived from its master and original start, so it is stable while the series
 * keeps its pattern and start, and stops resolving (404) once Exchange would have regenerated the
 * series. base64url, so it needs no escaping in a URL path, like Exchange's own ids.
 */
export function instanceId(masterId: string, originalStartMs: number): string {
  return `AAMkAGI${Buffer.from(`${masterId}\n${originalStartMs}`, 'utf8').toString('base64url')}`;
}

const INSTANCE_TEXT = /^((?:AAMkAGI|AAkALgAA)[A-Za-z0-9_-]+=*)\n(-?\d+)$/;

/** The master id and original start an instance id names, or null for any other id. */
export function parseInstanceId(id: string): { masterId: string; originalStartMs: number } | null {
  if (!id.startsWith('AAMkAGI')) return null;
  const m = INSTANCE_TEXT.exec(Buffer.from(id.slice(7), 'base64url').toString('utf8'));
  return m ? { masterId: m[1]!, originalStartMs: Number(m[2]) } : null;
}

export const crossingBoundary = () =>
  badRequest('ErrorOccurrenceCrossingBoundary', 'Modified occurrence is crossing or overlapping adjacent occurrence.');

const seriesStart = (master: EventRecord): SeriesStart => ({
  startMs: master.startMs,
  endMs: master.endMs,
  startTimeZone: master.startTimeZone,
});

const seriesChanges = (master: EventRecord): SeriesChanges => ({
  exceptions: master.exceptions ?? new Map(),
  cancelled: master.cancelled ?? new Set(),
});

/** JSON with sorted keys, to tell whether a PATCH really changed a recurrence. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** Exchange's GlobalObjectId carries the occurrence's original date (bytes 16-19: year, month, day). */
function occurrenceICalUId(masterUid: string, originalStartMs: number, zone: string): string {
  const d = DateTime.fromMillis(originalStartMs, { zone });
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  return `${masterUid.slice(0, 32)}${hex(d.year, 4)}${hex(d.month, 2)}${hex(d.day, 2)}${masterUid.slice(40)}`;
}

export const notFound = () =>
  new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');

export class MailboxStore {
  private readonly byKey = new Map<string, MailboxRecord>();
  /** The tenant's room resources (`/places`); each is a mailbox of this store too (graphPlaces.ts). */
  readonly places = new RoomDirectory();

  constructor(private readonly autoCreate: boolean) {}

  addMailbox(address: string, opts: { displayName?: string; state?: MailboxState } = {}): MailboxRecord {
    const existing = this.find(address);
    if (existing) {
      if (opts.state) existing.state = opts.state;
      if (opts.displayName) existing.displayName = opts.displayName;
      return existing;
    }
    const calendarId = exchangeId('AAMkADcal');
    const mb: MailboxRecord = {
      id: randomUUID(),
      address: address.toLowerCase(),
      displayName: opts.displayName ?? address.split('@')[0]!,
      state: opts.state ?? 'enabled',
      defaultCalendarId: calendarId,
      calendars: new Map([
        [
          calendarId,
          {
            id: calendarId,
            name: 'Calendar',
            color: 'auto',
            hexColor: '',
            changeKey: changeKey(),
            isDefault: true,
            seq: nextSeq(),
          },
        ],
      ]),
      events: new Map(),
      categories: new Map(),
      transactions: new Map(),
      mutableIds: new Map(),
      deletedItems: new Map(),
    };
    this.byKey.set(mb.address, mb);
    this.byKey.set(mb.id, mb);
    return mb;
  }

  find(idOrAddress: string): MailboxRecord | undefined {
    return this.byKey.get(idOrAddress.toLowerCase());
  }

  /** The mailbox a request names, with Graph's answers for users without a usable mailbox. */
  resolve(idOrAddress: string): MailboxRecord {
    let mb = this.find(idOrAddress);
    if (!mb && this.autoCreate && idOrAddress.includes('@')) mb = this.addMailbox(idOrAddress);
    if (!mb || mb.state === 'invalidUser')
      throw new GraphHttpError(404, 'ErrorInvalidUser', `The requested user '${idOrAddress}' is invalid.`);
    if (mb.state === 'noMailbox') {
      throw new GraphHttpError(
        404,
        'MailboxNotEnabledForRESTAPI',
        'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
      );
    }
    if (mb.state === 'accessDenied')
      throw new GraphHttpError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return mb;
  }

  mailboxes(): MailboxRecord[] {
    return [...new Set(this.byKey.values())];
  }

  // ---------- calendars ----------

  calendar(mb: MailboxRecord, id: string): CalendarRecord {
    const cal = mb.calendars.get(id);
    if (!cal) throw notFound();
    return cal;
  }

  createCalendar(mb: MailboxRecord, body: Record<string, unknown>): CalendarRecord {
    const props = validateObject('calendar', body);
    const name = props.name;
    if (typeof name !== 'string' || !name.trim())
      throw badRequest('ErrorInvalidRequest', 'The calendar name is required.');
    if ([...mb.calendars.values()].some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      throw new GraphHttpError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    }
    const cal: CalendarRecord = {
      id: exchangeId('AAMkADcal'),
      name,
      color: typeof props.color === 'string' ? props.color : 'auto',
      hexColor: typeof props.hexColor === 'string' ? props.hexColor : '',
      changeKey: changeKey(),
      isDefault: false,
      seq: nextSeq(),
    };
    mb.calendars.set(cal.id, cal);
    return cal;
  }

  updateCalendar(mb: MailboxRecord, id: string, body: Record<string, unknown>): CalendarRecord {
    const cal = this.calendar(mb, id);
    const props = validateObject('calendar', body);
    if (typeof props.name === 'string') cal.name = props.name;
    if (typeof props.color === 'string') cal.color = props.color;
    if (typeof props.hexColor === 'string') cal.hexColor = props.hexColor;
    cal.changeKey = changeKey();
    return cal;
  }

  deleteCalendar(mb: MailboxRecord, id: string) {
    const cal = this.calendar(mb, id);
    if (cal.isDefault) throw badRequest('ErrorCannotDeleteObject', 'The default calendar cannot be deleted.');
    mb.calendars.delete(id);
    for (const ev of [...mb.events.values()])
      if (ev.calendarId === id) {
        this.forget(mb, ev);
        mb.mutableIds.delete(ev.mutableId);
      }
  }

  renderCalendar(mb: MailboxRecord, cal: CalendarRecord) {
    return {
      '@odata.etag': `W/"${cal.changeKey}"`,
      id: cal.id,
      name: cal.name,
      color: cal.color,
      hexColor: cal.hexColor,
      isDefaultCalendar: cal.isDefault,
      changeKey: cal.changeKey,
      canShare: true,
      canViewPrivateItems: true,
      canEdit: true,
      allowedOnlineMeetingProviders: ['teamsForBusiness'],
      defaultOnlineMeetingProvider: 'teamsForBusiness',
      isTallyingResponses: true,
      isRemovable: !cal.isDefault,
      owner: { name: mb.displayName, address: mb.address },
    };
  }

  // ---------- master categories ----------

  createCategory(mb: MailboxRecord, body: Record<string, unknown>): CategoryRecord {
    const props = validateObject('outlookCategory', body);
    const displayName = props.displayName;
    if (typeof displayName !== 'string' || !displayName.trim())
      throw badRequest('ErrorInvalidRequest', 'The category displayName is required.');
    if ([...mb.categories.values()].some((c) => c.displayName.toLowerCase() === displayName.toLowerCase())) {
      throw new GraphHttpError(409, 'ErrorAlreadyExists', 'A category with the specified display name already exists.');
    }
    const cat: CategoryRecord = {
      id: randomUUID(),
      displayName,
      color: typeof props.color === 'string' ? props.color : 'none',
    };
    mb.categories.set(cat.id, cat);
    return cat;
  }

  category(mb: MailboxRecord, id: string): CategoryRecord {
    const cat = mb.categories.get(id);
    if (!cat) throw notFound();
    return cat;
  }

  updateCategory(mb: MailboxRecord, id: string, body: Record<string, unknown>): CategoryRecord {
    const cat = this.category(mb, id);
    const props = validateObject('outlookCategory', body);
    if (props.displayName !== undefined && props.displayName !== cat.displayName) {
      throw badRequest('ErrorInvalidRequest', 'The displayName of a category cannot be changed.');
    }
    if (typeof props.color === 'string') cat.color = props.color;
    return cat;
  }

  renderCategory(cat: CategoryRecord) {
    return { id: cat.id, displayName: cat.displayName, color: cat.color };
  }

  // ---------- events ----------

  /** An event in a calendar by either kind of id (Graph takes both in requests); undefined when there is none. */
  stored(mb: MailboxRecord, id: string): EventRecord | undefined {
    return mb.events.get(id) ?? mb.events.get(mb.mutableIds.get(id) ?? '');
  }

  /** A stored event, or an occurrence or exception of a series by its instance id. */
  event(mb: MailboxRecord, id: string): EventRecord {
    const ev = this.stored(mb, id) ?? this.instance(mb, id)?.view;
    if (!ev) throw notFound();
    return ev;
  }

  /** The series an instance id points into, with the instance as Graph shows it; undefined when there is none. */
  private instance(
    mb: MailboxRecord,
    id: string,
  ): { master: EventRecord; originalStartMs: number; view: EventRecord } | undefined {
    const ref = parseInstanceId(id);
    const master = ref ? this.stored(mb, ref.masterId) : undefined;
    if (!ref || !master?.props.recurrence || master.cancelled?.has(ref.originalStartMs)) return undefined;
    const ex = master.exceptions?.get(ref.originalStartMs);
    if (ex) return { master, originalStartMs: ref.originalStartMs, view: ex };
    const slot = expandRecurrence(seriesStart(master), master.props.recurrence as Recurrence).find(
      (i) => i.startMs === ref.originalStartMs,
    );
    return slot
      ? { master, originalStartMs: slot.startMs, view: occurrenceView(master, slot.startMs, slot.endMs) }
      : undefined;
  }

  /**
   * What a person sees of a series: its occurrences (the master's content at their own times) and
   * exceptions (their own content), cancelled ones left out, sorted by start. Empty for a single event.
   */
  instances(master: EventRecord): EventRecord[] {
    const recurrence = master.props.recurrence as Recurrence | null | undefined;
    if (!recurrence || master.seriesMasterId) return [];
    return seriesInstances(seriesStart(master), recurrence, seriesChanges(master)).map((i) =>
      i.type === 'exception'
        ? master.exceptions!.get(i.originalStartMs)!
        : occurrenceView(master, i.originalStartMs, i.endMs),
    );
  }

  /**
   * Creates an event, or answers with the existing one when the mailbox already holds an event
   * created with the same transactionId (Graph's idempotent create).
   */
  createEvent(
    mb: MailboxRecord,
    calendarId: string,
    body: unknown,
    createdBy: 'app' | 'user',
  ): { event: EventRecord; deduplicated: boolean } {
    this.calendar(mb, calendarId);
    const props = validateObject('event', requireObject(body));
    const tx = props.transactionId;
    if (typeof tx === 'string' && tx) {
      const existingId = mb.transactions.get(tx);
      const existing = existingId ? mb.events.get(existingId) : undefined;
      if (existing) return { event: existing, deduplicated: true };
    }
    if (props.start === undefined || props.end === undefined || props.start === null || props.end === null) {
      throw badRequest('ErrorInvalidRequest', 'An event needs both start and end.');
    }
    const now = Date.now();
    const ev: EventRecord = {
      id: newImmutableId(),
      mutableId: newMutableId(),
      calendarId,
      seq: nextSeq(),
      createdBy,
      createdMs: now,
      modifiedMs: now,
      changeKey: changeKey(),
      iCalUId: `040000008200E00074C5B7101A82E00800000000${randomBytes(24).toString('hex').toUpperCase()}`,
      props: {},
      startMs: 0,
      endMs: 0,
      startTimeZone: 'UTC',
      endTimeZone: 'UTC',
      single: new Map(),
      multi: new Map(),
    };
    applyEventProps(ev, props, true);
    if (typeof tx === 'string' && tx) {
      ev.transactionId = tx;
      mb.transactions.set(tx, ev.id);
    }
    mb.events.set(ev.id, ev);
    mb.mutableIds.set(ev.mutableId, ev.id);
    return { event: ev, deduplicated: false };
  }

  /**
   * Updates an event. On an instance id the occurrence becomes an exception (or the exception is
   * changed further); on a series master a change of recurrence, start or end regenerates the series
   * and so drops every exception and cancellation, as Exchange does.
   */
  updateEvent(mb: MailboxRecord, id: string, body: unknown): EventRecord {
    const ev = this.stored(mb, id);
    if (!ev) {
      const inst = this.instance(mb, id);
      if (!inst) throw notFound();
      return this.updateInstance(inst, body);
    }
    const props = validateObject('event', requireObject(body));
    if (props.transactionId !== undefined && props.transactionId !== (ev.transactionId ?? null)) {
      throw badRequest('ErrorInvalidRequest', 'The transactionId of an event cannot be changed after it is created.');
    }
    delete props.transactionId;
    // Work on a copy so a rejected update leaves the event as it was.
    const draft: EventRecord = { ...ev, props: { ...ev.props }, single: new Map(ev.single), multi: new Map(ev.multi) };
    applyEventProps(draft, props, false);
    const regenerated =
      draft.startMs !== ev.startMs ||
      draft.endMs !== ev.endMs ||
      stableJson(draft.props.recurrence) !== stableJson(ev.props.recurrence);
    if (regenerated || !draft.props.recurrence) {
      draft.exceptions = undefined;
      draft.cancelled = undefined;
    }
    Object.assign(ev, draft, { modifiedMs: Date.now(), changeKey: changeKey() });
    return ev;
  }

  private updateInstance(
    inst: { master: EventRecord; originalStartMs: number; view: EventRecord },
    body: unknown,
  ): EventRecord {
    const { master, originalStartMs, view } = inst;
    const props = validateObject('event', requireObject(body));
    if (props.recurrence !== undefined && props.recurrence !== null) {
      throw badRequest(
        'ErrorPropertyValidationFailure',
        'Recurrence can only be set on a series master or a single instance, not on an occurrence or exception.',
      );
    }
    delete props.recurrence;
    if (props.transactionId !== undefined && props.transactionId !== null) {
      throw badRequest('ErrorInvalidRequest', 'The transactionId of an event cannot be changed after it is created.');
    }
    delete props.transactionId;
    const draft: EventRecord = {
      ...view,
      props: { ...view.props },
      single: new Map(view.single),
      multi: new Map(view.multi),
    };
    applyEventProps(draft, props, false);
    const changes = seriesChanges(master);
    if (
      draft.startMs !== view.startMs &&
      crossesAdjacentOccurrence(
        seriesStart(master),
        master.props.recurrence as Recurrence,
        changes,
        originalStartMs,
        draft.startMs,
      )
    ) {
      throw crossingBoundary();
    }
    const exception: EventRecord = {
      ...draft,
      props: { ...draft.props, type: 'exception' },
      modifiedMs: Date.now(),
      changeKey: changeKey(),
    };
    (master.exceptions ??= new Map()).set(originalStartMs, exception);
    return exception;
  }

  /**
   * DELETE (api-reference/v1.0/api/event-delete): the event moves to Deleted Items, so it leaves the
   * calendar and gets a new default id (its immutable id stays). On an instance id it cancels that
   * one occurrence of its series.
   */
  deleteEvent(mb: MailboxRecord, id: string) {
    const ev = this.stored(mb, id);
    if (ev) {
      this.forget(mb, ev);
      this.move(mb, ev);
      mb.deletedItems.set(ev.id, Object.assign(ev, { deletedFrom: ev.calendarId }));
      return;
    }
    this.cancelOccurrence(mb, id);
  }

  /**
   * permanentDelete (api-reference/v1.0/api/event-permanentdelete): gone for good, into the dumpster
   * no client sees, whether it was in a calendar or already in Deleted Items.
   */
  permanentDeleteEvent(mb: MailboxRecord, id: string) {
    const ev = this.stored(mb, id);
    if (ev) {
      this.forget(mb, ev);
      mb.mutableIds.delete(ev.mutableId);
      return;
    }
    const deleted = mb.deletedItems.get(id) ?? mb.deletedItems.get(mb.mutableIds.get(id) ?? '');
    if (deleted) {
      mb.deletedItems.delete(deleted.id);
      mb.mutableIds.delete(deleted.mutableId);
      return;
    }
    this.cancelOccurrence(mb, id);
  }

  /** A user's restore: an item from Deleted Items back into its calendar (the default one if that is gone). */
  restoreDeleted(mb: MailboxRecord, id: string): EventRecord {
    const item = mb.deletedItems.get(id) ?? mb.deletedItems.get(mb.mutableIds.get(id) ?? '');
    if (!item) throw notFound();
    mb.deletedItems.delete(item.id);
    const { deletedFrom, ...ev } = item;
    ev.calendarId = mb.calendars.has(deletedFrom) ? deletedFrom : mb.defaultCalendarId;
    this.move(mb, ev);
    mb.events.set(ev.id, ev);
    return ev;
  }

  /** A user drags an event into another calendar of the mailbox: a move between folders, so a new default id. */
  moveToCalendar(mb: MailboxRecord, id: string, calendarId: string): EventRecord {
    const ev = this.stored(mb, id);
    if (!ev) throw notFound();
    this.calendar(mb, calendarId);
    ev.calendarId = calendarId;
    this.move(mb, ev);
    return ev;
  }

  /** An item changes folder: its default id changes, its immutable id does not (concepts/outlook-immutable-id). */
  private move(mb: MailboxRecord, ev: EventRecord) {
    mb.mutableIds.delete(ev.mutableId);
    ev.mutableId = newMutableId();
    mb.mutableIds.set(ev.mutableId, ev.id);
  }

  private cancelOccurrence(mb: MailboxRecord, id: string) {
    const inst = this.instance(mb, id);
    if (!inst) throw notFound();
    inst.master.exceptions?.delete(inst.originalStartMs);
    (inst.master.cancelled ??= new Set()).add(inst.originalStartMs);
    inst.master.modifiedMs = Date.now();
    inst.master.changeKey = changeKey();
  }

  private forget(mb: MailboxRecord, ev: EventRecord) {
    mb.events.delete(ev.id);
    // A deleted event no longer answers for its transactionId: a later create with it makes a new event.
    if (ev.transactionId && mb.transactions.get(ev.transactionId) === ev.id) mb.transactions.delete(ev.transactionId);
  }

  /** A second event with the same content and markers, as a past bug or a copy in Outlook would leave. */
  duplicateEvent(mb: MailboxRecord, id: string): EventRecord {
    const ev = this.stored(mb, id);
    if (!ev) throw notFound();
    const copy: EventRecord = {
      ...ev,
      id: newImmutableId(),
      mutableId: newMutableId(),
      seq: nextSeq(),
      iCalUId: `040000008200E00074C5B7101A82E00800000000${randomBytes(24).toString('hex').toUpperCase()}`,
      changeKey: changeKey(),
      transactionId: undefined,
      props: structuredClone(ev.props),
      single: new Map(ev.single),
      multi: new Map(ev.multi),
      cancelled: ev.cancelled && new Set(ev.cancelled),
    };
    copy.exceptions =
      ev.exceptions &&
      new Map(
        [...ev.exceptions].map(([o, x]) => [
          o,
          { ...x, id: instanceId(copy.id, o), seriesMasterId: copy.id, iCalUId: copy.iCalUId },
        ]),
      );
    mb.events.set(copy.id, copy);
    mb.mutableIds.set(copy.mutableId, copy.id);
    return copy;
  }

  /** Events in calendar order of creation; `calendarId` undefined means every calendar. */
  listEvents(mb: MailboxRecord, calendarId?: string): EventRecord[] {
    return [...mb.events.values()]
      .filter((e) => calendarId === undefined || e.calendarId === calendarId)
      .sort((a, b) => a.seq - b.seq);
  }
}

/** A plain occurrence: the master's content and markers at the slot's own time. */
function occurrenceView(master: EventRecord, originalStartMs: number, endMs: number): EventRecord {
  const zone = seriesZone(seriesStart(master), master.props.recurrence as Recurrence);
  return {
    ...master,
    id: instanceId(master.id, originalStartMs),
    transactionId: undefined,
    iCalUId: occurrenceICalUId(master.iCalUId, originalStartMs, zone),
    props: { ...master.props, type: 'occurrence', recurrence: null },
    startMs: originalStartMs,
    endMs,
    seriesMasterId: master.id,
    originalStartMs,
    exceptions: undefined,
    cancelled: undefined,
  };
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('BadRequest', 'Empty Payload. JSON content expected.');
  }
  return body as Record<string, unknown>;
}

function midnightIn(ms: number, zone: string): boolean {
  const dt = DateTime.fromMillis(ms, { zone });
  return dt.hour === 0 && dt.minute === 0 && dt.second === 0 && dt.millisecond === 0;
}

function validateRecurrence(rec: unknown) {
  if (rec === null || rec === undefined) return;
  const r = rec as { pattern?: Record<string, unknown> | null; range?: Record<string, unknown> | null };
  const invalid = (msg: string) => badRequest('ErrorPropertyValidationFailure', `Recurrence: ${msg}`);
  if (!r.pattern || !r.range) throw invalid('both pattern and range are required.');
  const p = r.pattern;
  if (!p.type) throw invalid('pattern.type is required.');
  if (typeof p.interval !== 'number' || p.interval < 1) throw invalid('pattern.interval must be at least 1.');
  const days = Array.isArray(p.daysOfWeek) ? p.daysOfWeek : [];
  if ((p.type === 'weekly' || p.type === 'relativeMonthly' || p.type === 'relativeYearly') && days.length === 0) {
    throw invalid(`pattern.daysOfWeek is required for a ${String(p.type)} pattern.`);
  }
  if (
    (p.type === 'absoluteMonthly' || p.type === 'absoluteYearly') &&
    !(typeof p.dayOfMonth === 'number' && p.dayOfMonth >= 1 && p.dayOfMonth <= 31)
  ) {
    throw invalid(`pattern.dayOfMonth (1-31) is required for a ${String(p.type)} pattern.`);
  }
  if (
    (p.type === 'absoluteYearly' || p.type === 'relativeYearly') &&
    !(typeof p.month === 'number' && p.month >= 1 && p.month <= 12)
  ) {
    throw invalid(`pattern.month (1-12) is required for a ${String(p.type)} pattern.`);
  }
  const g = r.range;
  if (!g.type) throw invalid('range.type is required.');
  if (typeof g.startDate !== 'string') throw invalid('range.startDate is required.');
  if (g.type === 'endDate' && (typeof g.endDate !== 'string' || g.endDate < g.startDate)) {
    throw invalid('range.endDate is required for an endDate range and must not be before range.startDate.');
  }
  if (g.type === 'numbered' && !(typeof g.numberOfOccurrences === 'number' && g.numberOfOccurrences >= 1)) {
    throw invalid('range.numberOfOccurrences must be at least 1 for a numbered range.');
  }
  if (typeof g.recurrenceTimeZone === 'string' && !resolveTimeZone(g.recurrenceTimeZone))
    throw timeZoneNotSupported(g.recurrenceTimeZone);
}

const HTML_DOC = /<html[\s>]/i;

function wrapHtml(content: string): string {
  if (HTML_DOC.test(content)) return content;
  return (
    `<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; ` +
    `charset=utf-8">\r\n</head>\r\n<body>\r\n${content}\r\n</body>\r\n</html>\r\n`
  );
}

export function htmlToText(html: string): string {
  return html
    .replace(/<head[\s\S]*?<\/head>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Applies validated properties to an event with Exchange's rules (times, body, locations, markers). */
function applyEventProps(ev: EventRecord, props: Record<string, unknown>, isCreate: boolean) {
  const {
    start,
    end,
    singleValueExtendedProperties,
    multiValueExtendedProperties,
    attachments,
    extensions,
    transactionId,
    ...rest
  } = props;
  void attachments;
  void extensions;
  void transactionId;
  if (start !== undefined) {
    if (start === null) throw badRequest('ErrorInvalidRequest', 'start cannot be null.');
    const s = start as { dateTime?: unknown; timeZone?: unknown };
    ev.startMs = parseDateTimeTimeZone(s, 'start');
    ev.startTimeZone = typeof s.timeZone === 'string' ? s.timeZone : 'UTC';
  }
  if (end !== undefined) {
    if (end === null) throw badRequest('ErrorInvalidRequest', 'end cannot be null.');
    const e = end as { dateTime?: unknown; timeZone?: unknown };
    ev.endMs = parseDateTimeTimeZone(e, 'end');
    ev.endTimeZone = typeof e.timeZone === 'string' ? e.timeZone : 'UTC';
  }
  if (ev.endMs < ev.startMs) {
    throw badRequest('ErrorCalendarEndDateIsEarlierThanStartDate', 'The end date occurs before the start date.');
  }
  validateRecurrence(rest.recurrence);
  const allDay = rest.isAllDay ?? ev.props.isAllDay;
  if (allDay === true) {
    const sz = resolveTimeZone(ev.startTimeZone) ?? 'UTC';
    const ez = resolveTimeZone(ev.endTimeZone) ?? 'UTC';
    if (!midnightIn(ev.startMs, sz) || !midnightIn(ev.endMs, ez) || ev.endMs === ev.startMs) {
      throw badRequest(
        'ErrorInvalidRequest',
        'An all-day event must start and end at midnight and last at least one day.',
      );
    }
  }
  const body = rest.body as { content?: string | null; contentType?: string | null } | null | undefined;
  if (body !== undefined) {
    const contentType = body?.contentType ?? 'text';
    const content = body?.content ?? '';
    rest.body = { contentType, content: contentType === 'html' ? wrapHtml(content) : content };
  }
  const hasLocation = rest.location !== undefined;
  const hasLocations = rest.locations !== undefined;
  if (hasLocation && !hasLocations) {
    const loc = rest.location as { displayName?: string } | null;
    rest.locations = loc?.displayName ? [loc] : [];
  } else if (hasLocations && !hasLocation) {
    const locs = (rest.locations as { displayName?: string }[] | null) ?? [];
    rest.location = {
      displayName: locs
        .map((l) => l.displayName ?? '')
        .filter(Boolean)
        .join('; '),
    };
  }
  for (const [k, v] of Object.entries(rest)) ev.props[k] = v;
  if (rest.recurrence !== undefined) ev.props.type = rest.recurrence ? 'seriesMaster' : 'singleInstance';

  for (const item of (singleValueExtendedProperties as { id?: unknown; value?: unknown }[] | null | undefined) ?? []) {
    if (typeof item.id !== 'string') throw invalidExtendedPropertyId(item.id);
    const key = normalizeExtendedPropertyId(item.id);
    if (!key) throw invalidExtendedPropertyId(item.id);
    if (typeof item.value !== 'string')
      throw badRequest('ErrorInvalidProperty', `The extended property '${item.id}' needs a string value.`);
    ev.single.set(key, { id: item.id, value: item.value });
  }
  for (const item of (multiValueExtendedProperties as { id?: unknown; value?: unknown }[] | null | undefined) ?? []) {
    const key = typeof item.id === 'string' ? normalizeExtendedPropertyId(item.id) : null;
    if (!key || !/array/.test(key.split(' ')[0]!)) throw invalidExtendedPropertyId(item.id);
    if (!Array.isArray(item.value))
      throw badRequest('ErrorInvalidProperty', `The extended property '${String(item.id)}' needs an array value.`);
    ev.multi.set(key, { id: item.id as string, value: item.value as string[] });
  }
  if (isCreate) ev.props.type ??= 'singleInstance';
}

export interface RenderOptions {
  zone: ResponseZone;
  /** The request asked for immutable ids (`Prefer: IdType="ImmutableId"`); otherwise the default ids. */
  immutableIds?: boolean;
  bodyContentType?: 'text' | 'html';
  select?: string[];
  expand?: ExpandItem[];
  mailbox: MailboxRecord;
}

function renderLocation(loc: unknown) {
  const l = (loc ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    displayName: l.displayName ?? '',
    locationType: l.locationType ?? 'default',
    ...(l.locationUri !== undefined ? { locationUri: l.locationUri } : {}),
    ...(l.locationEmailAddress !== undefined ? { locationEmailAddress: l.locationEmailAddress } : {}),
    uniqueId: l.uniqueId ?? (l.displayName ? l.displayName : undefined),
    uniqueIdType: l.uniqueIdType ?? (l.displayName ? 'private' : 'unknown'),
    address: l.address ?? {},
    coordinates: l.coordinates ?? {},
  };
  if (out.uniqueId === undefined) delete out.uniqueId;
  return out;
}

/**
 * The id a response shows: the immutable id when asked for, else the default one. Occurrences and
 * exceptions keep their instance ids, which name the master and the original start.
 */
export function renderedId(ev: EventRecord, immutable = false, mb?: MailboxRecord): string {
  if (immutable) return ev.id;
  if (ev.seriesMasterId === undefined) return ev.mutableId;
  const master = mb?.events.get(ev.seriesMasterId);
  return master && ev.originalStartMs !== undefined ? instanceId(master.mutableId, ev.originalStartMs) : ev.id;
}

function masterIdShown(ev: EventRecord, opts: RenderOptions): string | null {
  if (ev.seriesMasterId === undefined) return null;
  if (opts.immutableIds) return ev.seriesMasterId;
  return opts.mailbox.events.get(ev.seriesMasterId)?.mutableId ?? ev.seriesMasterId;
}

/** Compares extended property ids by identity, as Exchange resolves them. */
export function extendedIdEquals(path: string[], actual: unknown, expected: Literal): boolean | undefined {
  if (path[path.length - 1] !== 'id' || typeof actual !== 'string' || typeof expected !== 'string') return undefined;
  const a = normalizeExtendedPropertyId(actual);
  const e = normalizeExtendedPropertyId(expected);
  return a !== null && a === e;
}

/** The event as Graph answers it. Extended properties appear only when `$expand`ed. */
export function renderEvent(ev: EventRecord, opts: RenderOptions): Record<string, unknown> {
  const p = ev.props;
  const { zone } = opts;
  let body = (p.body as { contentType: string; content: string } | null | undefined) ?? {
    contentType: 'html',
    content: '',
  };
  if (opts.bodyContentType === 'text' && body.contentType === 'html')
    body = { contentType: 'text', content: htmlToText(body.content) };
  const preview = (body.contentType === 'html' ? htmlToText(body.content) : body.content)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 255);
  const full: Record<string, unknown> = {
    '@odata.etag': `W/"${ev.changeKey}"`,
    id: renderedId(ev, opts.immutableIds, opts.mailbox),
    createdDateTime: isoUtc(ev.createdMs),
    lastModifiedDateTime: isoUtc(ev.modifiedMs),
    changeKey: ev.changeKey,
    categories: p.categories ?? [],
    ...(ev.transactionId ? { transactionId: ev.transactionId } : {}),
    originalStartTimeZone: ev.startTimeZone,
    originalEndTimeZone: ev.endTimeZone,
    iCalUId: ev.iCalUId,
    reminderMinutesBeforeStart: p.reminderMinutesBeforeStart ?? 15,
    isReminderOn: p.isReminderOn ?? true,
    hasAttachments: false,
    subject: p.subject ?? '',
    bodyPreview: preview,
    importance: p.importance ?? 'normal',
    sensitivity: p.sensitivity ?? 'normal',
    isAllDay: p.isAllDay ?? false,
    isCancelled: false,
    isOrganizer: true,
    responseRequested: p.responseRequested ?? true,
    seriesMasterId: masterIdShown(ev, opts),
    ...(ev.originalStartMs !== undefined
      ? { originalStart: new Date(ev.originalStartMs).toISOString().replace(/\.000Z$/, 'Z') }
      : {}),
    showAs: p.showAs ?? 'busy',
    type: p.type ?? 'singleInstance',
    webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(ev.id)}&exvsurl=1&path=/calendar/item`,
    onlineMeetingUrl: null,
    isOnlineMeeting: p.isOnlineMeeting ?? false,
    onlineMeetingProvider: p.onlineMeetingProvider ?? 'unknown',
    allowNewTimeProposals: p.allowNewTimeProposals ?? true,
    isDraft: false,
    hideAttendees: p.hideAttendees ?? false,
    recurrence: p.recurrence ?? null,
    onlineMeeting: null,
    responseStatus: { response: 'organizer', time: NEVER },
    body,
    start: formatDateTimeTimeZone(ev.startMs, zone.label, zone.zone),
    end: formatDateTimeTimeZone(ev.endMs, zone.label, zone.zone),
    location: renderLocation(p.location),
    locations: ((p.locations as unknown[] | null | undefined) ?? []).map(renderLocation),
    attendees: ((p.attendees as Record<string, unknown>[] | null | undefined) ?? []).map((a) => ({
      type: a.type ?? 'required',
      status: a.status ?? { response: 'none', time: NEVER },
      emailAddress: a.emailAddress ?? {},
    })),
    organizer: (p.organizer as unknown) ?? {
      emailAddress: { name: opts.mailbox.displayName, address: opts.mailbox.address },
    },
  };
  let out = full;
  if (opts.select?.length) {
    out = { '@odata.etag': full['@odata.etag'], id: full.id };
    for (const name of opts.select) if (name in full) out[name] = full[name];
  }
  for (const item of opts.expand ?? []) {
    const source = item.property === 'singleValueExtendedProperties' ? [...ev.single.values()] : [...ev.multi.values()];
    const filtered = source.filter(
      (x) => !item.filter || evaluateFilter(item.filter, { id: x.id, value: x.value }, extendedIdEquals),
    );
    out[item.property] = filtered.map((x) => ({ id: x.id, value: x.value }));
  }
  return out;
}
