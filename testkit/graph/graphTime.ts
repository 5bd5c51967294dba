import { DateTime } from 'luxon';
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { badRequest } from './graphHttp';

/**
 * Time handling of the Graph emulator. Events are stored as instants; Graph's dateTimeTimeZone
 * (wall-clock time + zone name, Windows or IANA) is only the wire format. Answers are in UTC unless
 * the request says `Prefer: outlook.timezone="<zone>"`.
 */

/**
 * The zone names Graph documents for dateTimeTimeZone.timeZone (Microsoft Graph v1.0
 * resources/datetimetimezone.md, "dateTimeTimeZone resource type"): "any of the time zones
 * supported by Windows, as well as the following time zones names", a list of IANA names that
 * holds Europe/Berlin and Europe/Paris but not Europe/Oslo. Anything else Exchange refuses with
 * 400 TimeZoneNotSupportedException. The Windows names are CLDR's windowsZones (the Windows
 * registry's zone ids, packaged by windows-iana); the page is silent on letter case, so names
 * must match exactly (the stricter reading).
 */
const DOCUMENTED_IANA = `
  Etc/GMT+12 Etc/GMT+11 Pacific/Honolulu America/Anchorage America/Santa_Isabel America/Los_Angeles
  America/Phoenix America/Chihuahua America/Denver America/Guatemala America/Chicago America/Mexico_City
  America/Regina America/Bogota America/New_York America/Indiana/Indianapolis America/Caracas America/Asuncion
  America/Halifax America/Cuiaba America/La_Paz America/Santiago America/St_Johns America/Sao_Paulo
  America/Argentina/Buenos_Aires America/Cayenne America/Godthab America/Montevideo America/Bahia Etc/GMT+2
  Atlantic/Azores Atlantic/Cape_Verde Africa/Casablanca Etc/GMT Europe/London Atlantic/Reykjavik Europe/Berlin
  Europe/Budapest Europe/Paris Europe/Warsaw Africa/Lagos Africa/Windhoek Europe/Bucharest Asia/Beirut
  Africa/Cairo Asia/Damascus Africa/Johannesburg Europe/Kyiv Europe/Istanbul Asia/Jerusalem Asia/Amman
  Asia/Baghdad Europe/Kaliningrad Asia/Riyadh Africa/Nairobi Asia/Tehran Asia/Dubai Asia/Baku Europe/Moscow
  Indian/Mauritius Asia/Tbilisi Asia/Yerevan Asia/Kabul Asia/Karachi Asia/Toshkent Asia/Kolkata Asia/Colombo
  Asia/Kathmandu Asia/Astana Asia/Dhaka Asia/Yekaterinburg Asia/Yangon Asia/Bangkok Asia/Novosibirsk
  Asia/Shanghai Asia/Krasnoyarsk Asia/Singapore Australia/Perth Asia/Taipei Asia/Ulaanbaatar Asia/Irkutsk
  Asia/Tokyo Asia/Seoul Australia/Adelaide Australia/Darwin Australia/Brisbane Australia/Sydney
  Pacific/Port_Moresby Australia/Hobart Asia/Yakutsk Pacific/Guadalcanal Asia/Vladivostok Pacific/Auckland
  Etc/GMT-12 Pacific/Fiji Asia/Magadan Pacific/Tongatapu Pacific/Apia Pacific/Kiritimati
`
  .trim()
  .split(/\s+/);

/**
 * The page writes four entries with a second name in brackets ("Europe/Kyiv (Kiev)", "Asia/Toshkent
 * (Tashkent)", "Asia/Astana (Almaty)", "Asia/Yangon (Rangoon)"): both spellings are documented. The
 * value is the zone luxon computes with.
 */
const DOCUMENTED_ALIASES: Record<string, string> = {
  'Europe/Kiev': 'Europe/Kiev',
  'Asia/Toshkent': 'Asia/Tashkent',
  'Asia/Tashkent': 'Asia/Tashkent',
  'Asia/Astana': 'Asia/Almaty',
  'Asia/Almaty': 'Asia/Almaty',
  'Asia/Rangoon': 'Asia/Rangoon',
};

const DOCUMENTED_ZONES: ReadonlyMap<string, string> = new Map([
  ...WINDOWS_TO_IANA_MAP.filter((w) => w.territory === '001').map((w) => [w.windowsName, w.iana[0]!] as const),
  ...DOCUMENTED_IANA.map((name) => [name, DOCUMENTED_ALIASES[name] ?? name] as const),
  ...Object.entries(DOCUMENTED_ALIASES),
]);

/** The IANA zone to compute with for a documented Windows or IANA name, or null when Exchange would refuse it. */
export function resolveTimeZone(name: string): string | null {
  if (typeof name !== 'string') return null;
  const zone = DOCUMENTED_ZONES.get(name);
  if (!zone) return null;
  return DateTime.local().setZone(zone).isValid ? zone : null;
}

export function timeZoneNotSupported(name: unknown) {
  return badRequest(
    'TimeZoneNotSupportedException',
    `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${String(name)}'.`,
  );
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads a dateTimeTimeZone into epoch milliseconds, answering 400 as Graph does when it cannot. */
export function parseDateTimeTimeZone(v: { dateTime?: unknown; timeZone?: unknown }, property: string): number {
  const zoneName = v.timeZone ?? 'UTC';
  if (typeof zoneName !== 'string') throw timeZoneNotSupported(zoneName);
  const zone = resolveTimeZone(zoneName);
  if (!zone) throw timeZoneNotSupported(zoneName);
  const text = v.dateTime;
  if (typeof text !== 'string' || !(LOCAL_DATE_TIME.test(text) || WITH_OFFSET.test(text))) {
    throw badRequest(
      'ErrorInvalidRequest',
      `The value '${String(text)}' of ${property}.dateTime is not a valid date and time.`,
    );
  }
  // Exchange takes up to 7 fractional digits; luxon parses up to milliseconds.
  const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
  const dt = WITH_OFFSET.test(text)
    ? DateTime.fromISO(trimmed, { setZone: true })
    : DateTime.fromISO(trimmed, { zone });
  if (!dt.isValid)
    throw badRequest(
      'ErrorInvalidRequest',
      `The value '${text}' of ${property}.dateTime is not a valid date and time.`,
    );
  return dt.toMillis();
}

/** Graph's answer format: wall-clock time with seven fractional digits, and the zone name asked for. */
export function formatDateTimeTimeZone(
  ms: number,
  zoneLabel: string,
  zone: string,
): { dateTime: string; timeZone: string } {
  const dt = DateTime.fromMillis(ms, { zone });
  return { dateTime: `${dt.toFormat("yyyy-MM-dd'T'HH:mm:ss")}.${dt.toFormat('SSS')}0000`, timeZone: zoneLabel };
}

export interface ResponseZone {
  label: string;
  zone: string;
}

export const UTC_ZONE: ResponseZone = { label: 'UTC', zone: 'UTC' };

/**
 * Parses the Prefer header (`outlook.timezone="..."`, `outlook.body-content-type="text"`; Microsoft
 * Graph v1.0 api/user-list-events.md, "Request headers"). The zone takes the names dateTimeTimeZone
 * documents (Windows names, the short IANA list); an unknown one is ignored, as Exchange falls back to UTC.
 */
export function parsePrefer(header: string | undefined): {
  zone: ResponseZone;
  bodyContentType?: 'text' | 'html';
  /** `IdType="ImmutableId"` (concepts/outlook-immutable-id): this request's answers show immutable ids. */
  immutableIds: boolean;
  applied: string[];
} {
  const applied: string[] = [];
  let zone = UTC_ZONE;
  let bodyContentType: 'text' | 'html' | undefined;
  if (!header) return { zone, applied, immutableIds: false };
  const immutableIds = /idtype\s*=\s*"immutableid"/i.test(header);
  if (immutableIds) applied.push('IdType="ImmutableId"');
  const re = /(outlook\.timezone|outlook\.body-content-type)\s*=\s*"([^"]*)"/gi;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const key = m[1]!.toLowerCase();
    const value = m[2]!;
    if (key === 'outlook.timezone') {
      const iana = resolveTimeZone(value);
      if (iana) {
        zone = { label: value, zone: iana };
        applied.push(`outlook.timezone="${value}"`);
      }
    } else if (value === 'text' || value === 'html') {
      bodyContentType = value;
      applied.push(`outlook.body-content-type="${value}"`);
    }
  }
  return { zone, bodyContentType, immutableIds, applied };
}

/** `0001-01-01T00:00:00Z`, the value Exchange reports for "never". */
export const NEVER = '0001-01-01T00:00:00Z';

export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, (m) => `${m.slice(0, 4)}0000Z`);
}
