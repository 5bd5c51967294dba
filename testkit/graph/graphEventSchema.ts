import { badRequest } from './graphHttp';

/**
 * The slice of Microsoft Graph v1.0 metadata the emulator validates request bodies against:
 * microsoft.graph.event (base outlookItem), calendar, outlookCategory and the complex and enum
 * types they use. Taken from Microsoft's published CSDL (msgraph-metadata, clean_v10_metadata) and
 * the v1.0 resource pages, not from memory of what kada happens to send. Like Graph (OData), a body
 * with a property the type does not define, or an enum literal the enum does not have, is a 400.
 */

export const ENUMS: Record<string, readonly string[]> = {
  freeBusyStatus: ['unknown', 'free', 'tentative', 'busy', 'oof', 'workingElsewhere'],
  bodyType: ['text', 'html'],
  importance: ['low', 'normal', 'high'],
  sensitivity: ['normal', 'personal', 'private', 'confidential'],
  eventType: ['singleInstance', 'occurrence', 'exception', 'seriesMaster'],
  onlineMeetingProviderType: ['unknown', 'skypeForBusiness', 'skypeForConsumer', 'teamsForBusiness'],
  attendeeType: ['required', 'optional', 'resource'],
  responseType: ['none', 'organizer', 'tentativelyAccepted', 'accepted', 'declined', 'notResponded'],
  locationType: [
    'default',
    'conferenceRoom',
    'homeAddress',
    'businessAddress',
    'geoCoordinates',
    'streetAddress',
    'hotel',
    'restaurant',
    'localBusiness',
    'postalAddress',
  ],
  locationUniqueIdType: ['unknown', 'locationStore', 'directory', 'private', 'bing'],
  phoneType: [
    'home',
    'business',
    'mobile',
    'other',
    'assistant',
    'homeFax',
    'businessFax',
    'otherFax',
    'pager',
    'radio',
  ],
  dayOfWeek: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
  weekIndex: ['first', 'second', 'third', 'fourth', 'last'],
  recurrencePatternType: ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'],
  recurrenceRangeType: ['endDate', 'noEnd', 'numbered'],
  calendarColor: [
    'auto',
    'lightBlue',
    'lightGreen',
    'lightOrange',
    'lightGray',
    'lightYellow',
    'lightTeal',
    'lightPink',
    'lightBrown',
    'lightRed',
    'maxColor',
  ],
  categoryColor: ['none', ...Array.from({ length: 25 }, (_, i) => `preset${i}`)],
};

type Primitive = 'Edm.String' | 'Edm.Boolean' | 'Edm.Int32' | 'Edm.Double' | 'Edm.DateTimeOffset' | 'Edm.Date';

export interface PropDef {
  /** `Edm.*`, `enum:<name>` or `complex:<name>` (an entity for navigation properties). */
  type: Primitive | `enum:${string}` | `complex:${string}`;
  collection?: boolean;
  /** Graph computes it; a value in a request body is accepted and ignored. */
  readOnly?: boolean;
  /** A navigation property a create may carry (deep insert) but that is not part of the item itself. */
  navigation?: boolean;
}

const s: PropDef = { type: 'Edm.String' };
const b: PropDef = { type: 'Edm.Boolean' };
const i32: PropDef = { type: 'Edm.Int32' };
const dbl: PropDef = { type: 'Edm.Double' };
const ro = (p: PropDef): PropDef => ({ ...p, readOnly: true });
const many = (p: PropDef): PropDef => ({ ...p, collection: true });
const en = (name: string): PropDef => ({ type: `enum:${name}` });
const cx = (name: string): PropDef => ({ type: `complex:${name}` });

export const TYPES: Record<string, Record<string, PropDef>> = {
  event: {
    // outlookItem
    id: ro(s),
    categories: many(s),
    changeKey: ro(s),
    createdDateTime: ro({ type: 'Edm.DateTimeOffset' }),
    lastModifiedDateTime: ro({ type: 'Edm.DateTimeOffset' }),
    // event
    allowNewTimeProposals: b,
    attendees: many(cx('attendee')),
    body: cx('itemBody'),
    bodyPreview: ro(s),
    end: cx('dateTimeTimeZone'),
    hasAttachments: ro(b),
    hideAttendees: b,
    iCalUId: ro(s),
    importance: en('importance'),
    isAllDay: b,
    isCancelled: ro(b),
    isDraft: ro(b),
    isOnlineMeeting: b,
    isOrganizer: ro(b),
    isReminderOn: b,
    location: cx('location'),
    locations: many(cx('location')),
    onlineMeeting: ro(cx('onlineMeetingInfo')),
    onlineMeetingProvider: en('onlineMeetingProviderType'),
    onlineMeetingUrl: ro(s),
    organizer: cx('recipient'),
    originalEndTimeZone: ro(s),
    originalStart: ro({ type: 'Edm.DateTimeOffset' }),
    originalStartTimeZone: ro(s),
    recurrence: cx('patternedRecurrence'),
    reminderMinutesBeforeStart: i32,
    responseRequested: b,
    responseStatus: ro(cx('responseStatus')),
    sensitivity: en('sensitivity'),
    seriesMasterId: ro(s),
    showAs: en('freeBusyStatus'),
    start: cx('dateTimeTimeZone'),
    subject: s,
    transactionId: s,
    type: ro(en('eventType')),
    webLink: ro(s),
    // navigation properties
    attachments: { ...many(cx('attachment')), navigation: true },
    calendar: { ...cx('calendar'), navigation: true, readOnly: true },
    extensions: { ...many(cx('extension')), navigation: true },
    instances: { ...many(cx('event')), navigation: true, readOnly: true },
    multiValueExtendedProperties: { ...many(cx('multiValueLegacyExtendedProperty')), navigation: true },
    singleValueExtendedProperties: { ...many(cx('singleValueLegacyExtendedProperty')), navigation: true },
  },
  itemBody: { content: s, contentType: en('bodyType') },
  dateTimeTimeZone: { dateTime: s, timeZone: s },
  location: {
    address: cx('physicalAddress'),
    coordinates: cx('outlookGeoCoordinates'),
    displayName: s,
    locationEmailAddress: s,
    locationType: en('locationType'),
    locationUri: s,
    uniqueId: s,
    uniqueIdType: en('locationUniqueIdType'),
  },
  physicalAddress: { city: s, countryOrRegion: s, postalCode: s, state: s, street: s },
  outlookGeoCoordinates: { accuracy: dbl, altitude: dbl, altitudeAccuracy: dbl, latitude: dbl, longitude: dbl },
  attendee: {
    emailAddress: cx('emailAddress'),
    type: en('attendeeType'),
    status: cx('responseStatus'),
    proposedNewTime: cx('timeSlot'),
  },
  timeSlot: { start: cx('dateTimeTimeZone'), end: cx('dateTimeTimeZone') },
  emailAddress: { address: s, name: s },
  recipient: { emailAddress: cx('emailAddress') },
  responseStatus: { response: en('responseType'), time: { type: 'Edm.DateTimeOffset' } },
  patternedRecurrence: { pattern: cx('recurrencePattern'), range: cx('recurrenceRange') },
  recurrencePattern: {
    dayOfMonth: i32,
    daysOfWeek: many(en('dayOfWeek')),
    firstDayOfWeek: en('dayOfWeek'),
    index: en('weekIndex'),
    interval: i32,
    month: i32,
    type: en('recurrencePatternType'),
  },
  recurrenceRange: {
    endDate: { type: 'Edm.Date' },
    numberOfOccurrences: i32,
    recurrenceTimeZone: s,
    startDate: { type: 'Edm.Date' },
    type: en('recurrenceRangeType'),
  },
  onlineMeetingInfo: {
    conferenceId: s,
    joinUrl: s,
    phones: many(cx('phone')),
    quickDial: s,
    tollFreeNumbers: many(s),
    tollNumber: s,
  },
  phone: { number: s, type: en('phoneType') },
  singleValueLegacyExtendedProperty: { id: s, value: s },
  multiValueLegacyExtendedProperty: { id: s, value: many(s) },
  // Deep-inserted attachments and open extensions are open/derived types; the emulator accepts and drops them.
  attachment: {},
  extension: {},
  calendar: {
    allowedOnlineMeetingProviders: ro(many(en('onlineMeetingProviderType'))),
    canEdit: ro(b),
    canShare: ro(b),
    canViewPrivateItems: ro(b),
    changeKey: ro(s),
    color: en('calendarColor'),
    defaultOnlineMeetingProvider: ro(en('onlineMeetingProviderType')),
    hexColor: s,
    id: ro(s),
    isDefaultCalendar: ro(b),
    isRemovable: ro(b),
    isTallyingResponses: ro(b),
    name: s,
    owner: ro(cx('emailAddress')),
  },
  outlookCategory: { id: ro(s), displayName: s, color: en('categoryColor') },
};

/** Types whose instances may carry properties the metadata does not list. */
const OPEN_TYPES = new Set(['attachment', 'extension']);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

function fail(message: string): never {
  throw badRequest('RequestBodyRead', message);
}

function canonicalEnum(enumName: string, value: unknown): string {
  const members = ENUMS[enumName] ?? [];
  // OData in Graph matches enum literals case-insensitively and answers with the canonical member.
  const hit = typeof value === 'string' ? members.find((m) => m.toLowerCase() === value.toLowerCase()) : undefined;
  if (!hit) fail(`Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.${enumName}'.`);
  return hit;
}

function primitive(type: Primitive, value: unknown, prop: string): unknown {
  const bad = () =>
    fail(
      `Cannot convert a primitive value to the expected type '${type}'. ` +
        `See the inner exception for more details. (property '${prop}')`,
    );
  switch (type) {
    case 'Edm.String':
      return typeof value === 'string' ? value : bad();
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? value : bad();
    case 'Edm.Int32':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 31 ? value : bad();
    case 'Edm.Double':
      return typeof value === 'number' && Number.isFinite(value) ? value : bad();
    case 'Edm.Date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) ? value : bad();
    case 'Edm.DateTimeOffset':
      return typeof value === 'string' && DATE_TIME_OFFSET.test(value) && !Number.isNaN(Date.parse(value))
        ? value
        : bad();
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function value(def: PropDef, v: unknown, prop: string): unknown {
  if (v === null) return null;
  if (def.type.startsWith('enum:')) return canonicalEnum(def.type.slice(5), v);
  if (def.type.startsWith('complex:')) {
    if (!isPlainObject(v))
      fail(
        `An unexpected '${Array.isArray(v) ? 'StartArray' : 'PrimitiveValue'}' node was found when reading from ` +
          `the JSON reader. A 'StartObject' node was expected. (property '${prop}')`,
      );
    return validateObject(def.type.slice(8), v);
  }
  return primitive(def.type as Primitive, v, prop);
}

/**
 * Checks `body` against type `typeName` and returns a copy with canonical enum literals, without
 * instance annotations (`@odata.*`) and without read-only properties. Throws a 400 GraphHttpError.
 */
export function validateObject(typeName: string, body: Record<string, unknown>): Record<string, unknown> {
  const props = TYPES[typeName];
  if (!props) throw new Error(`no metadata for ${typeName}`);
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(body)) {
    if (key.startsWith('@') || key.includes('@odata.')) {
      if (key === '@odata.type' && typeof raw === 'string') {
        const t = raw.replace(/^#/, '');
        if (t !== `microsoft.graph.${typeName}` && !OPEN_TYPES.has(typeName)) {
          fail(
            `A type named '${t}' could not be resolved by the model. ` +
              'When a model is available, each type name must resolve to a valid type.',
          );
        }
      }
      continue;
    }
    const def = props[key];
    if (!def) {
      if (OPEN_TYPES.has(typeName)) {
        out[key] = raw;
        continue;
      }
      fail(
        `The property '${key}' does not exist on type 'microsoft.graph.${typeName}'. ` +
          'Make sure to only use property names that are defined by the type or mark the type as open type.',
      );
    }
    if (def.collection) {
      if (raw === null) {
        out[key] = null;
        continue;
      }
      if (!Array.isArray(raw)) {
        fail(
          `An unexpected '${isPlainObject(raw) ? 'StartObject' : 'PrimitiveValue'}' node was found for property ` +
            `named '${key}' when reading from the JSON reader. A 'StartArray' node was expected.`,
        );
      }
      const items = raw.map((item) => value({ ...def, collection: false }, item, key));
      if (!def.readOnly) out[key] = items;
      continue;
    }
    const v = value(def, raw, key);
    if (!def.readOnly) out[key] = v;
  }
  return out;
}

/** Names of the event's structural and navigation properties, for `$select` checks. */
export function eventPropertyNames(): string[] {
  return Object.keys(TYPES.event!);
}

const EXT_TYPES =
  'String|Integer|Boolean|SystemTime|Binary|Double|Float|Short|Long|Currency|Guid|CLSID|' +
  'Object|Null|ApplicationTime|Error';
const EXT_GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `<type>[Array] {<guid>} Name <name>`, `<type>[Array] {<guid>} Id 0x<id>` or `<type>[Array] 0x<tag>`. */
const EXT_ID = new RegExp(
  String.raw`^(${EXT_TYPES})(Array)?\s+(?:\{(${EXT_GUID})\}\s+(Name\s+\S.*|Id\s+0x[0-9a-f]{1,4})|(0x[0-9a-f]{4}))$`,
  'i',
);

/**
 * The identity of an extended property id: Exchange resolves the type and property-set GUID
 * case-insensitively, the name as written. Returns null for an id Exchange would reject.
 */
export function normalizeExtendedPropertyId(id: string): string | null {
  const m = EXT_ID.exec(id.trim());
  if (!m) return null;
  const type = `${m[1]!}${m[2] ?? ''}`.toLowerCase();
  if (m[5]) return `${type} ${m[5].toLowerCase()}`;
  const guid = m[3]!.toLowerCase();
  const rest = m[4]!;
  if (/^id\s/i.test(rest)) return `${type} {${guid}} id ${rest.replace(/^id\s+/i, '').toLowerCase()}`;
  return `${type} {${guid}} name ${rest.replace(/^name\s+/i, '')}`;
}

export function invalidExtendedPropertyId(id: unknown) {
  return badRequest('ErrorInvalidProperty', `The extended property id '${String(id)}' is not valid.`);
}
