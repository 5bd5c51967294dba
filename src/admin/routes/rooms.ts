import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound, parseInput } from '../httpErrors';
import { roomReport, roomsReport } from '../roomReport';
import type { AdminDeps } from './deps';

const roomParams = z.object({ tp_room_id: z.string().trim().min(1).max(200) });

/** Room calendars (rooms-ics.md): the TP room -> room mailbox mapping with each room's sync, read-only. */
export function roomRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx } = deps;
  app.get('/api/rooms', async () => roomsReport(ctx.db, ctx.config.roomCalendars));
  app.get('/api/rooms/:tp_room_id', async (req) => {
    const { tp_room_id } = parseInput(roomParams, req.params, 'tp_room_id');
    const room = await roomReport(ctx.db, tp_room_id);
    if (!room) throw notFound(`unknown room "${tp_room_id}": not mapped and without kada events`);
    return room;
  });
}
