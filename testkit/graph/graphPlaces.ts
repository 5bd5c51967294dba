import { randomUUID } from 'node:crypto';
import { graphError, jsonResponse, methodNotAllowed, type EmulatedResponse } from './graphHttp';
import { accessDenied, type GrantedRoles } from './graphPermissions';
import type { ServiceRoot } from './graphEventViews';

/**
 * The tenant's room resources as `GET /places/microsoft.graph.room` lists them
 * (https://learn.microsoft.com/en-us/graph/api/place-list):
 * - application permission Place.Read.All (the page's permissions table; Place.ReadWrite.All is the
 *   higher one and reads too); without it: 403.
 * - 100 places per page by default, `$top` for another page size, `@odata.nextLink` to the next page.
 * - rooms marked "Hidden from GAL" are not listed.
 * - each room: the room resource's properties (https://learn.microsoft.com/en-us/graph/api/resources/room):
 *   id (not immutable), emailAddress, displayName, address, geoCoordinates, phone, nickname, label,
 *   building, floorNumber, floorLabel, capacity, bookingType, isWheelChairAccessible, tags and the devices.
 * Every room is a resource mailbox of the tenant (resources/room: "In Exchange Online, each room is
 * associated with a room mailbox"); the emulator's mailbox store holds it like any other mailbox.
 */
export interface RoomPlaceInit {
  emailAddress: string;
  displayName: string;
  building?: string | null;
  capacity?: number | null;
  nickname?: string | null;
  floorNumber?: number | null;
  hiddenFromGal?: boolean;
}

export interface RoomPlace extends Required<Omit<RoomPlaceInit, 'hiddenFromGal'>> {
  id: string;
  hiddenFromGal: boolean;
}

const READS_PLACES = ['Place.Read.All', 'Place.ReadWrite.All'];
const DEFAULT_PAGE = 100;

export class RoomDirectory {
  private readonly rooms = new Map<string, RoomPlace>();

  add(init: RoomPlaceInit): RoomPlace {
    const address = init.emailAddress.toLowerCase();
    const room: RoomPlace = {
      id: this.rooms.get(address)?.id ?? randomUUID(),
      emailAddress: address,
      displayName: init.displayName,
      building: init.building ?? null,
      capacity: init.capacity ?? null,
      nickname: init.nickname ?? init.displayName,
      floorNumber: init.floorNumber ?? null,
      hiddenFromGal: init.hiddenFromGal ?? false,
    };
    this.rooms.set(address, room);
    return room;
  }

  list(): RoomPlace[] {
    return [...this.rooms.values()];
  }
}

const view = (r: RoomPlace) => ({
  id: r.id,
  emailAddress: r.emailAddress,
  displayName: r.displayName,
  address: null,
  geoCoordinates: null,
  phone: null,
  nickname: r.nickname,
  label: r.displayName,
  building: r.building,
  floorNumber: r.floorNumber,
  floorLabel: r.floorNumber === null ? null : String(r.floorNumber),
  capacity: r.capacity,
  bookingType: 'standard',
  isWheelChairAccessible: false,
  tags: [],
  audioDeviceName: null,
  videoDeviceName: null,
  displayDeviceName: null,
});

/** `/places/...`: null when the path is not a places request. */
export function routePlaces(
  dir: RoomDirectory,
  svc: ServiceRoot,
  method: string,
  lower: string[],
  query: Map<string, string>,
  roles: GrantedRoles,
): EmulatedResponse | null {
  if (lower[0] !== 'places') return null;
  if (!READS_PLACES.some((r) => roles.includes(r))) throw accessDenied();
  if (lower.length !== 2 || lower[1] !== 'microsoft.graph.room')
    return graphError(400, 'BadRequest', `Resource not found for the segment '${lower[lower.length - 1] ?? ''}'.`);
  if (method !== 'GET') throw methodNotAllowed();
  const top = Number(query.get('$top') ?? DEFAULT_PAGE);
  const skip = Number(query.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || !Number.isInteger(skip) || skip < 0)
    return graphError(400, 'BadRequest', 'Invalid $top or $skip.');
  const visible = dir.list().filter((r) => !r.hiddenFromGal);
  const page = visible.slice(skip, skip + top).map(view);
  const body: Record<string, unknown> = {
    '@odata.context': `${svc.root}/$metadata#places/microsoft.graph.room`,
    value: page,
  };
  if (skip + top < visible.length)
    body['@odata.nextLink'] = `${svc.root}/places/microsoft.graph.room?$top=${top}&$skip=${skip + top}`;
  return jsonResponse(200, body);
}
