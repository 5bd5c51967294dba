import { DateTime } from 'luxon';
import { badRequest } from './graphHttp';

/**
 * Time handling of the Graph emulator. Events are stored as instants; Graph's dateTimeTimeZone
 * (wall-clock time + zone name, Windows or IANA) is only the wire format. Answers are in UTC unless
 * the request says `Prefer: outlook.timezone="<zone>"`.
 */

/** Windows zone ids Exchange knows, mapped to IANA (CLDR windowsZones, territory 001). */
const WINDOWS_ZONES: Record<string, string> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'Dateline Standard Time': 'Etc/GMT+12',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Alaskan Standard Time': 'America/Anchorage',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Mountain Standard Time': 'America/Denver',
  'Central Standard Time': 'America/Chicago',
  'Eastern Standard Time': 'America/New_York',
  'Atlantic Standard Time': 'America/Halifax',
  'Newfoundland Standard Time': 'America/St_Johns',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Greenland Standard Time': 'America/Godthab',
  'Azores Standard Time': 'Atlantic/Azores',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Romance Standard Time': 'Europe/Paris',
  'Central European Standard Time': 'Europe/Warsaw',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'GTB Standard Time': 'Europe/Bucharest',
  'FLE Standard Time': 'Europe/Kiev',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'Israel Standard Time': 'Asia/Jerusalem',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Russian Standard Time': 'Europe/Moscow',
  'Arabian Standard Time': 'Asia/Dubai',
  'Pakistan Standard Time': 'Asia/Karachi',
  'India Standard Time': 'Asia/Calcutta',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
};

const WINDOWS_BY_LOWER = new Map(Object.entries(WINDOWS_ZONES).map(([k, v]) => [k.toLowerCase(), v]));

/** The IANA zone for a Windows or IANA name, or null when Exchange would not know it. */
export function resolveTimeZone(name: string): string | null {
  if (typeof name !== 'string' || !name.trim()) return null;
  const win = WINDOWS_BY_LOWER.get(name.trim().toLowerCase());
  if (win) return win;
  if (!name.includes('/') && name !== 'UTC') return null;
  return DateTime.local().setZone(name).isValid ? name : null;
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
 * Parses the Prefer header (`outlook.timezone="..."`, `outlook.body-content-type="text"`). An unknown
 * zone is ignored, as Exchange falls back to UTC.
 */
export function parsePrefer(header: string | undefined): {
  zone: ResponseZone;
  bodyContentType?: 'text' | 'html';
  applied: string[];
} {
  const applied: string[] = [];
  let zone = UTC_ZONE;
  let bodyContentType: 'text' | 'html' | undefined;
  if (!header) return { zone, applied };
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
  return { zone, bodyContentType, applied };
}

/** `0001-01-01T00:00:00Z`, the value Exchange reports for "never". */
export const NEVER = '0001-01-01T00:00:00Z';

export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, (m) => `${m.slice(0, 4)}0000Z`);
}
