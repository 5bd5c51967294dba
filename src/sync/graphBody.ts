import type { DesiredEvent } from '../domain/types';
import { markerProperties } from '../domain/markers';

/** The Graph event resource kada sends: the content plus its three markers. */
export function graphBody(d: DesiredEvent, institution: string): Record<string, unknown> {
  return { ...d.content, singleValueExtendedProperties: markerProperties(institution, d.key, d.hash) };
}
