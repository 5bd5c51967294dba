import { error, json, nullable, nullableDateTime, props, ref, unauthorized } from './common';

/** Room calendars (routes/rooms.ts, rooms-ics.md); kada.read. */

export const roomPaths = {
  '/api/rooms': {
    get: {
      tags: ['rooms'],
      summary: 'The TP room -> room mailbox mapping (kada rooms import), with event counts and last syncs',
      responses: {
        '200': json(ref('Rooms'), 'Mapped rooms, and unmapped ones whose events are being removed'),
        ...unauthorized,
      },
    },
  },
  '/api/rooms/{tp_room_id}': {
    get: {
      tags: ['rooms'],
      summary: "One room's mapping, sync and the courses it holds kada events of",
      parameters: [
        { name: 'tp_room_id', in: 'path', required: true, schema: { type: 'string' }, description: "TP's room id" },
      ],
      responses: {
        '200': json(ref('RoomReport'), 'The room'),
        '404': error('Neither mapped nor holding kada events'),
        ...unauthorized,
      },
    },
  },
};

const room = props({
  tpRoomId: 'string',
  mailbox: nullable('string', { description: 'null: unmapped, its kada events are being removed' }),
  mapped: 'boolean',
  eventCount: 'integer',
  lastSyncAt: nullableDateTime,
  lastError: nullable('string'),
  lastErrorAt: nullableDateTime,
});

export const roomSchemas = {
  Room: { type: 'object', required: ['tpRoomId', 'mailbox', 'mapped', 'eventCount'], properties: room },
  Rooms: {
    type: 'object',
    required: ['enabled', 'items'],
    properties: {
      enabled: { type: 'boolean', description: 'ROOM_CALENDARS=on' },
      items: { type: 'array', items: ref('Room') },
    },
  },
  RoomReport: {
    type: 'object',
    required: ['tpRoomId', 'mailbox', 'mapped', 'eventCount', 'courses'],
    properties: { ...room, courses: { type: 'array', items: { type: 'string' }, description: 'course keys' } },
  },
};
