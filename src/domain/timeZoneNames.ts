import { IANAZone } from 'luxon';
import { findIana, findWindows } from 'windows-iana';

/**
 * Graph documents Windows time-zone names plus a short list of IANA names for `timeZone`
 * (Microsoft Graph v1.0 resources/datetimetimezone.md); `Europe/Oslo` is not on that list and
 * Exchange refuses it (400 TimeZoneNotSupportedException). kada therefore writes the Windows name
 * of its IANA zone, from CLDR's windowsZones as packaged by windows-iana, and reads back either kind.
 */

const windowsNames = new Map<string, string | null>();

/** The Windows name of an IANA zone (`Europe/Oslo` -> `W. Europe Standard Time`), or null if it has none. */
export function windowsZoneName(iana: string): string | null {
  let name = windowsNames.get(iana);
  if (name === undefined) {
    // findWindows knows the aliases CLDR lists (Asia/Calcutta, Etc/UTC); ICU's canonical name
    // covers the rest (Europe/Kyiv is Europe/Kiev in CLDR, europe/oslo is Europe/Oslo).
    name = findWindows(iana)[0] ?? findWindows(canonicalIana(iana) ?? '')[0] ?? null;
    if (windowsNames.size < 1_000) windowsNames.set(iana, name);
  }
  return name;
}

const ianaNames = new Map<string, string | null>();

/**
 * The IANA zone luxon can compute with for a zone name Graph gives back: a Windows name (its CLDR
 * default region, `W. Europe Standard Time` -> `Europe/Berlin`, same rules as Oslo), an IANA name,
 * or UTC in any of its spellings. Null when neither kind knows the name.
 */
export function ianaZoneName(name: string): string | null {
  let iana = ianaNames.get(name);
  if (iana === undefined) {
    iana = resolve(name);
    if (ianaNames.size < 1_000) ianaNames.set(name, iana);
  }
  return iana;
}

function resolve(name: string): string | null {
  if (name === 'UTC' || name === 'Coordinated Universal Time') return 'UTC';
  const fromWindows = findIana(name)[0];
  if (fromWindows) return fromWindows;
  return IANAZone.isValidZone(name) ? name : null;
}

function canonicalIana(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
