import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/admin/server';
import { replaceRoomMapping } from '../../src/store/rooms';
import { saveEvent } from '../../src/store/syncedEvents';
import { ADMIN_TOKEN, startAdminFixture, type AdminFixture } from './fixture';

let f: AdminFixture;
let app: FastifyInstance;
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
const get = (url: string, headers: Record<string, string> = auth) => app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  f = await startAdminFixture({ ROOM_CALENDARS: 'on' });
  app = await buildAdminApp(f.ctx, { isReady: async () => ({ database: true, broker: true }) });
});
afterAll(async () => {
  await app?.close();
  await f?.close();
});

/** GET /api/rooms and /api/rooms/{tp_room_id} (issue 19, rooms-ics.md). */
describe('admin API: rooms', () => {
  it('lists the mapping with event counts and unmapped rooms still holding events; one room with courses', async () => {
    await replaceRoomMapping(f.ctx.db, [
      { roomId: '510S206', mailbox: 's206@rooms.uio.no' },
      { roomId: 'AUD1', mailbox: 'aud1@rooms.uio.no' },
    ]);
    const course = { semester: '26h', courseId: 'IN1000', version: '1' };
    for (const [target, key] of [
      ['room:510S206', 'tp-room:26h:IN1000,1:e1'],
      ['room:510S206', 'tp-room:26h:IN1000,1:e2'],
      ['room:OLD', 'tp-room:26h:IN1000,1:e3'],
    ] as const)
      await saveEvent(f.ctx.db, target, { key, graphEventId: key, hash: 'h', mailbox: 'x@rooms.uio.no', course });

    const res = await get('/api/rooms');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.enabled).toBe(true);
    expect(
      body.items.map((r: { tpRoomId: string; eventCount: number; mapped: boolean }) => [
        r.tpRoomId,
        r.eventCount,
        r.mapped,
      ]),
    ).toEqual([
      ['510S206', 2, true],
      ['AUD1', 0, true],
      ['OLD', 1, false],
    ]);

    const one = await get('/api/rooms/510S206');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      tpRoomId: '510S206',
      mailbox: 's206@rooms.uio.no',
      eventCount: 2,
      courses: ['26h:IN1000,1'],
    });
    const unknown = await get('/api/rooms/NOPE');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain('NOPE');
  });

  it('needs the token like every /api route', async () => {
    expect((await get('/api/rooms', {})).statusCode).toBe(401);
    expect((await get('/api/rooms/510S206', { authorization: 'Bearer wrong-token-0123456789' })).statusCode).toBe(401);
  });
});
