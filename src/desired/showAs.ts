import type { EventContent, TpEvent } from '../domain/types';

/** A cancelled session stays visible but must not block the person's time. */
export function showAs(event: TpEvent): EventContent['showAs'] {
  return event.cancelled ? 'free' : 'busy';
}
