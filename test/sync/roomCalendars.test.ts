import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personJobHandler } from '../../src/app/jobHandler';
import { eventKey, roomEventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { roomTargetId } from '../../src/domain/target';
import type { CourseRef } from '../../src/domain/types';
import type { Job } from '../../src/jobs/types';
import { courseFanOut } from '../../src/planner/courseFanOut';
import { reconcileAll } from '../../src/reconcile/reconcileAll';
import { listRooms, replaceRoomMapping } from '../../src/store/rooms';
import { refreshCourse } from '../../src/sync/loadCourses';
import { syncPerson } from '../../src/sync/syncPerson';
import { syncRoom } from '../../src/sync/syncRoom';
import type { TpWireEvent } from '../../testkit/institution/institutionTypes';
import { startHarness, type Harness } from '../../testkit/support/harness';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** Room calendars (issue 19, rooms-ics.md) against real Postgres and the emulators. */
describe('room calendars', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 19, students: 60, env: { ROOM_CALENDARS: 'on' } });
    // As after a fill: every course of the semester read once by the planner and stored.
    for (const c of h.institution.courses('26h')) await refreshCourse(h.ctx.db, h.ctx.tp, c.ref);
  });
  afterAll(async () => h?.close());

  const kadaEvents = (mailbox: string) =>
    h.microsoft.graph.events(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');
  const keyOf = (e: { extendedProperties: Record<string, string> }) => e.extendedProperties[KEY_PROP]!;
  const mailboxOf = (roomId: string) => `${roomId.toLowerCase()}@rooms.uio.no`;

  /** The oracle: every TP occurrence booked in the room in 26h, as room keys. */
  function occurrencesIn(roomId: string): string[] {
    const keys: string[] = [];
    for (const c of h.institution.courses('26h'))
      for (const e of h.institution.courseEvents(c.ref) ?? [])
        if (e.room.some((r) => r.id === roomId)) keys.push(roomEventKey(c.ref, e.eventid));
    return keys.sort();
  }

  /** A plenary occurrence of a course with a registered student who has a mailbox, and its room. */
  function plenaryWithStudent(): { ref: CourseRef; ev: TpWireEvent; studentId: string; mailbox: string } {
    for (const c of h.institution.courses('26h')) {
      const student = h.institution
        .registrationsOfCourse(c.ref)
        .map((r) => h.institution.person(r.personlopenummer)!)
        .find((p) => p.epost);
      const ev = h.institution.courseEvents(c.ref)?.find((e) => e.status_plenary && e.room.length === 1);
      if (student && ev) return { ref: c.ref, ev, studentId: student.personlopenummer, mailbox: student.epost! };
    }
    throw new Error('no plenary event with a student');
  }

  it("a room's calendar is exactly the union of the TP occurrences booked in it", async () => {
    const roomId = plenaryWithStudent().ev.room[0]!.id;
    await replaceRoomMapping(h.ctx.db, [{ roomId, mailbox: mailboxOf(roomId) }]);
    const r = await syncRoom(h.ctx, roomId);
    expect(r.outcome).toBe('synced');
    expect(r.failed).toEqual([]);
    const keys = kadaEvents(mailboxOf(roomId)).map(keyOf).sort();
    expect(keys).toEqual(occurrencesIn(roomId));
    expect(keys.length).toBeGreaterThan(5);
    const [row] = (await listRooms(h.ctx.db)).filter((x) => x.roomId === roomId);
    expect(row).toMatchObject({ mailbox: mailboxOf(roomId), eventCount: keys.length });
    expect(row!.lastSyncAt).toBeInstanceOf(Date);
    // a second sync writes nothing, and a reconcile against Graph finds nothing to repair
    expect((await syncRoom(h.ctx, roomId)).written).toEqual({ creates: 0, updates: 0, deletes: 0 });
    expect((await syncRoom(h.ctx, roomId, { mode: 'reconcile' })).written).toEqual({
      creates: 0,
      updates: 0,
      deletes: 0,
    });
  });

  it("a course change reaches the room mailbox and the student's mailbox with the same content rules", async () => {
    const { ref, ev, studentId, mailbox } = plenaryWithStudent();
    const roomId = ev.room[0]!.id;
    await replaceRoomMapping(h.ctx.db, [{ roomId, mailbox: mailboxOf(roomId) }]);
    await syncPerson(h.ctx, studentId);
    await syncRoom(h.ctx, roomId);
    const start = parseTpTime(ev.dtstart)!.plus({ hours: 1 });
    h.institution.moveEvent(ref, ev.eventid, start.toISO()!, parseTpTime(ev.dtend)!.plus({ hours: 1 }).toISO()!);
    h.institution.setSummary(ref, ev.eventid, 'Repetisjon før eksamen');
    h.institution.cancelEvent(ref, ev.eventid, true);
    const fan = await courseFanOut(h.ctx.db, h.ctx, ref, undefined, undefined, { rooms: true });
    expect(fan.personIds).toContain(roomTargetId(roomId));
    expect(fan.personIds).toContain(studentId);
    const person = await syncPerson(h.ctx, studentId);
    const room = await syncRoom(h.ctx, roomId);
    expect(person.written.updates).toBeGreaterThan(0);
    expect(room.written).toEqual({ creates: 0, updates: 1, deletes: 0 });

    const mine = kadaEvents(mailbox).find((e) => keyOf(e) === eventKey(ref, ev.eventid))!;
    const its = kadaEvents(mailboxOf(roomId)).find((e) => keyOf(e) === roomEventKey(ref, ev.eventid))!;
    expect(its.subject).toBe(mine.subject);
    expect(its.subject).toMatch(/^AVLYST: .* – Repetisjon før eksamen$/);
    expect(its.showAs).toBe('free');
    expect(mine.showAs).toBe('free');
    expect(DateTime.fromISO(its.startUtc).toMillis()).toBe(start.toMillis());
    expect(its.startUtc).toBe(mine.startUtc);
    expect(its.endUtc).toBe(mine.endUtc);
    const tpRoom = ev.room[0]!;
    expect(its.location.displayName).toBe(`${tpRoom.roomname}, ${tpRoom.buildingname}`);
    expect(its.categories).toEqual([]);
    expect(mine.categories).toEqual(['Undervisning']);
    expect(its.isReminderOn).toBe(false);
    expect(its.graph.attendees ?? []).toEqual([]);
    expect(its.body.content).toContain(ev.courseid);
    expect(its.body.content).toContain('oppdateres automatisk');
    for (const s of ev.staffs) expect(its.body.content).toContain(s.lastname);
    // uncancelled: busy again, in both
    h.institution.cancelEvent(ref, ev.eventid, false);
    await refreshCourse(h.ctx.db, h.ctx.tp, ref);
    await syncRoom(h.ctx, roomId);
    const again = kadaEvents(mailboxOf(roomId)).find((e) => keyOf(e) === roomEventKey(ref, ev.eventid))!;
    expect(again.showAs).toBe('busy');
    expect(again.subject.startsWith('AVLYST')).toBe(false);
  });

  it('an occurrence moved to another room leaves the first room and reaches the second', async () => {
    const { ref, ev } = plenaryWithStudent();
    const from = ev.room[0]!.id;
    const to = h.institution.rooms().find((r) => r.id !== from && !r.videolink)!.id;
    await replaceRoomMapping(h.ctx.db, [
      { roomId: from, mailbox: mailboxOf(from) },
      { roomId: to, mailbox: mailboxOf(to) },
    ]);
    await syncRoom(h.ctx, from);
    await syncRoom(h.ctx, to);
    h.institution.setRoom(ref, ev.eventid, to);
    const fan = await courseFanOut(h.ctx.db, h.ctx, ref, undefined, undefined, { rooms: true });
    expect(fan.personIds).toEqual(expect.arrayContaining([roomTargetId(from), roomTargetId(to)]));
    await syncRoom(h.ctx, from);
    await syncRoom(h.ctx, to);
    expect(kadaEvents(mailboxOf(from)).map(keyOf)).not.toContain(roomEventKey(ref, ev.eventid));
    expect(kadaEvents(mailboxOf(to)).map(keyOf)).toContain(roomEventKey(ref, ev.eventid));
    expect(kadaEvents(mailboxOf(from)).map(keyOf).sort()).toEqual(occurrencesIn(from));
    expect(kadaEvents(mailboxOf(to)).map(keyOf).sort()).toEqual(occurrencesIn(to));
  });

  it('reconcile --all repairs a room mailbox too: a booking deleted by hand comes back', async () => {
    const roomId = plenaryWithStudent().ev.room[0]!.id;
    await replaceRoomMapping(h.ctx.db, [{ roomId, mailbox: mailboxOf(roomId) }]);
    await syncRoom(h.ctx, roomId);
    const victim = kadaEvents(mailboxOf(roomId))[0]!;
    h.microsoft.graph.userDelete(mailboxOf(roomId), victim.id);
    const r = await reconcileAll(h.ctx, { concurrency: 2, discover: false });
    expect(r.failed).toEqual([]);
    expect(r.repairs).toBeGreaterThanOrEqual(1);
    expect(kadaEvents(mailboxOf(roomId)).map(keyOf).sort()).toEqual(occurrencesIn(roomId));
  });

  it('unmapping a room removes its kada events', async () => {
    const roomId = plenaryWithStudent().ev.room[0]!.id;
    await replaceRoomMapping(h.ctx.db, [{ roomId, mailbox: mailboxOf(roomId) }]);
    await syncRoom(h.ctx, roomId);
    expect(kadaEvents(mailboxOf(roomId)).length).toBeGreaterThan(0);
    const change = await replaceRoomMapping(h.ctx.db, []);
    expect(change.removed).toContain(roomId);
    expect((await listRooms(h.ctx.db)).find((r) => r.roomId === roomId)?.mailbox).toBeNull();
    const r = await syncRoom(h.ctx, roomId);
    expect(r.outcome).toBe('unmapped');
    expect(kadaEvents(mailboxOf(roomId))).toEqual([]);
    expect((await listRooms(h.ctx.db)).find((x) => x.roomId === roomId)).toBeUndefined();
    const [{ n }] = await h.ctx.db.query(`SELECT count(*)::int AS n FROM synced_events WHERE person_id = $1`, [
      roomTargetId(roomId),
    ]);
    expect(n).toBe(0);
  });

  it('ROOM_CALENDARS=off does nothing for rooms: no fan-out to rooms, room jobs write nothing', async () => {
    const { ref, ev } = plenaryWithStudent();
    const roomId = ev.room[0]!.id;
    await replaceRoomMapping(h.ctx.db, [{ roomId, mailbox: mailboxOf(roomId) }]);
    await syncRoom(h.ctx, roomId); // on: filled
    const before = kadaEvents(mailboxOf(roomId)).map(keyOf).sort();
    expect(before.length).toBeGreaterThan(0);
    await replaceRoomMapping(h.ctx.db, []); // unmapped, but with room calendars off nobody acts on it
    const fan = await courseFanOut(h.ctx.db, h.ctx, ref, undefined, undefined, { rooms: false });
    expect(fan.personIds.filter((id) => id.startsWith('room:'))).toEqual([]);
    const writes = h.microsoft.graph.stats().writes;
    const handler = personJobHandler({ ...h.ctx, config: { ...h.ctx.config, roomCalendars: false } });
    const job = { id: '1', personId: roomTargetId(roomId), force: false, priority: 0 } as Job;
    expect(await handler(job, { progress: () => undefined } as never)).toEqual({ outcome: 'room_calendars_off' });
    expect(h.microsoft.graph.stats().writes).toEqual(writes);
    expect(kadaEvents(mailboxOf(roomId)).map(keyOf).sort()).toEqual(before);
    await syncRoom(h.ctx, roomId); // tidy up for the next test
  });

  it('`kada rooms import` checks the whole file first: a bad line exits 2 naming it, and nothing changes', async () => {
    const env = { ...process.env, ...h.env };
    const dir = os.tmpdir();
    const good = path.join(dir, `rooms-good-${process.pid}.csv`);
    await writeFile(good, 'tp_room_id,mailbox\n510S206,s206.smaragd@uio.no\nUNKNOWN1,unknown1@uio.no\n');
    const ok = await run('node', [cli, 'rooms', 'import', good, '--json'], { env });
    expect(JSON.parse(ok.stdout)).toMatchObject({ added: ['510S206', 'UNKNOWN1'], removed: [], jobsQueued: 2 });
    // the rooms' jobs wait for a running kada run
    const jobs = await h.ctx.db.query(`SELECT person_id FROM jobs WHERE state = 'queued' ORDER BY 1`);
    expect(jobs.map((j: { person_id: string }) => j.person_id)).toEqual(['room:510S206', 'room:UNKNOWN1']);

    const bad = path.join(dir, `rooms-bad-${process.pid}.csv`);
    await writeFile(bad, 'tp_room_id,mailbox\nAUD9,aud9@uio.no\nAUD10,not-an-address\nAUD11\n');
    const err = await run('node', [cli, 'rooms', 'import', bad], { env }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain('line 3');
    expect(err?.stderr).toContain('line 4');
    expect(err?.stderr).not.toContain('line 2');
    const all = JSON.parse((await run('node', [cli, 'rooms', '--json'], { env })).stdout);
    const listed = all.filter((r: { mapped: boolean }) => r.mapped);
    expect(listed.map((r: { tpRoomId: string }) => r.tpRoomId)).toEqual(['510S206', 'UNKNOWN1']);
    expect(listed[0]).toMatchObject({ mailbox: 's206.smaragd@uio.no', mapped: true, eventCount: 0 });
  });
});
