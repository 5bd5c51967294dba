import type { EventContent } from '../domain/types';
import { fromGraphDateTime } from './time';

/**
 * What a person sees of an event, reduced to the fields Exchange gives back unchanged. The body is
 * left out on purpose: Exchange rewrites HTML bodies, so comparing them would "repair" every event
 * on every reconcile.
 */
export interface ObservedEvent {
  subject?: string | null;
  start?: { dateTime: string; timeZone: string } | null;
  end?: { dateTime: string; timeZone: string } | null;
  showAs?: string | null;
  location?: { displayName?: string | null } | null;
  categories?: string[] | null;
  isReminderOn?: boolean | null;
}

function instant(v: { dateTime: string; timeZone: string } | null | undefined): number | null {
  if (!v) return null;
  const dt = fromGraphDateTime(v);
  return dt.isValid ? dt.toMillis() : null;
}

export function fingerprint(e: ObservedEvent | EventContent): string {
  return JSON.stringify([
    e.subject ?? '',
    instant(e.start),
    instant(e.end),
    e.showAs ?? '',
    e.location?.displayName ?? '',
    [...(e.categories ?? [])].sort(),
    e.isReminderOn ?? null,
  ]);
}
