import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../testkit/graph/graphEmulator';
import { DEFAULT_ROLES } from '../../testkit/graph/graphPermissions';
import { refreshCourse } from '../../src/sync/loadCourses';
import { startHarness, type Harness } from '../../testkit/support/harness';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');

/**
 * The tenant's rooms, `GET /places/microsoft.graph.room` (https://learn.microsoft.com/en-us/graph/api/place-list):
 * Place.Read.All, 100 per page, hidden-from-GAL rooms left out; each room is a mailbox of the tenant.
 */
describe('Graph emulator: places', () => {
  let emu: GraphEmulator;
  let denied: GraphEmulator;
  beforeAll(async () => {
    emu = await startGraphEmulator({ roles: [...DEFAULT_ROLES, 'Place.Read.All'] });
    denied = await startGraphEmulator();
    for (let i = 0; i < 105; i++)
      emu.addRoom({
        emailAddress: `room${i}@rooms.uio.no`,
        displayName: `Rom ${i}`,
        building: 'OJD',
        capacity: 20 + i,
      });
    emu.addRoom({ emailAddress: 'secret@rooms.uio.no', displayName: 'Skjult rom', hiddenFromGal: true });
    denied.addRoom({ emailAddress: 'x@rooms.uio.no', displayName: 'X' });
  });
  afterAll(async () => {
    await emu?.close();
    await denied?.close();
  });

  const get = async (e: GraphEmulator, url: string) => {
    const res = await fetch(url.startsWith('http') ? url : `${e.baseUrl}${url}`, {
      headers: { Authorization: 'Bearer t' },
    });
    return { status: res.status, body: await res.json() };
  };

  it('lists rooms 100 a page with a nextLink, in the room resource shape, without hidden ones', async () => {
    const first = await get(emu, '/places/microsoft.graph.room');
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(100);
    expect(first.body['@odata.context']).toContain('#places/microsoft.graph.room');
    expect(first.body.value[0]).toMatchObject({
      emailAddress: 'room0@rooms.uio.no',
      displayName: 'Rom 0',
      building: 'OJD',
      capacity: 20,
      bookingType: 'standard',
    });
    expect(typeof first.body.value[0].id).toBe('string');
    const second = await get(emu, first.body['@odata.nextLink']);
    expect(second.body.value).toHaveLength(5);
    expect(second.body['@odata.nextLink']).toBeUndefined();
    const all = [...first.body.value, ...second.body.value].map((r: { emailAddress: string }) => r.emailAddress);
    expect(all).not.toContain('secret@rooms.uio.no');
  });

  it('answers 403 without Place.Read.All, and the room is a mailbox kada can write to', async () => {
    const refused = await get(denied, '/places/microsoft.graph.room');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('ErrorAccessDenied');
    expect((await get(denied, '/users/x@rooms.uio.no/calendar')).status).toBe(200);
  });
});

describe('kada rooms suggest', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 5, students: 20, microsoft: { roles: [...DEFAULT_ROLES, 'Place.Read.All'] } });
    for (const c of h.institution.courses('26h').slice(0, 4)) await refreshCourse(h.ctx.db, h.ctx.tp, c.ref);
  });
  afterAll(async () => h?.close());

  it('prints likely room mailboxes by name as CSV, and imports nothing', async () => {
    const booked = new Map<string, { roomname: string; buildingname: string }>();
    for (const c of h.institution.courses('26h').slice(0, 4))
      for (const e of h.institution.courseEvents(c.ref) ?? []) for (const r of e.room) booked.set(r.id, r);
    const [id, room] = [...booked.entries()][0]!;
    h.microsoft.graph.addRoom({
      emailAddress: 'the-room@rooms.uio.no',
      displayName: `${room!.roomname} (${room!.buildingname})`,
      building: room!.buildingname,
    });
    h.microsoft.graph.addRoom({ emailAddress: 'elsewhere@rooms.uio.no', displayName: 'Kantina' });
    const out = await run('node', [cli, 'rooms', 'suggest'], { env: { ...process.env, ...h.env } });
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('tp_room_id,mailbox,tp_room_name,place_name,score');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toContain(`${id},the-room@rooms.uio.no`);
    expect(out.stdout).not.toContain('elsewhere@rooms.uio.no');
    const [{ n }] = await h.ctx.db.query(`SELECT count(*)::int AS n FROM rooms`);
    expect(n).toBe(0);
  });
});
