import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { GraphWriter } from './writer';

/**
 * The tenant's room resources, `GET /places/microsoft.graph.room` (Place.Read.All; learn.microsoft.com
 * /en-us/graph/api/place-list), paged by @odata.nextLink. Only `kada rooms suggest` reads them.
 */
const place = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  emailAddress: z.string().nullish(),
  building: z.string().nullish(),
  nickname: z.string().nullish(),
  capacity: z.number().nullish(),
});
const page = z.object({ value: z.array(place), '@odata.nextLink': z.string().optional() });

export interface GraphRoom {
  id: string;
  displayName: string;
  emailAddress: string | null;
  building: string | null;
  nickname: string | null;
  capacity: number | null;
}

export async function listRoomPlaces(writer: GraphWriter): Promise<GraphRoom[]> {
  const out: GraphRoom[] = [];
  let next: string | undefined = '/places/microsoft.graph.room';
  while (next) {
    const url: string = next;
    const raw = await writer.call((c: Client, signal) => c.api(url).options({ signal }).get() as Promise<unknown>);
    const p = page.parse(raw);
    for (const r of p.value)
      out.push({
        id: r.id,
        displayName: r.displayName ?? '',
        emailAddress: r.emailAddress ?? null,
        building: r.building ?? null,
        nickname: r.nickname ?? null,
        capacity: r.capacity ?? null,
      });
    next = p['@odata.nextLink'];
    if (out.length > 100_000) throw new Error('more than 100,000 rooms: refusing to page further');
  }
  return out;
}
