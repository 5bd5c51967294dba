import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_PROP } from '../../src/domain/markers';
import { DEAD_LETTER_HEADERS } from '../../src/intake/deadLetter';
import { stopGracefully, type KadaChild } from '../../testkit/support/kadaProcess';
import { startKadaWorld, type KadaWorld } from '../../testkit/support/kadaWorld';
import { eventually, type AmqpFixture } from '../intake/amqpFixture';
import { loadBadNotifications } from '../intake/badNotifications';
import { fsPersonMessage } from '../planner/plannerFixture';
import type { Harness } from '../../testkit/support/harness';

/**
 * The whole malformed-notification corpus (test/fixtures/bad/notifications) published to a real
 * RabbitMQ queue that a `kada run` child consumes: every message ends in `<queue>.dead` with its
 * reason, is recorded for the admin, none is redelivered in a loop, and the same process goes on
 * consuming and syncing afterwards.
 */

const cases = loadBadNotifications();
let fx: AmqpFixture;
let h: Harness;
let kada: KadaChild;

let world: KadaWorld;
beforeAll(async () => {
  world = await startKadaWorld('badnotif', { seed: 23, students: 20, workers: 2 });
  ({ fx, h, kada } = world);
});
afterAll(async () => world?.close());

const db = () => h.db.dataSource;

describe('malformed notifications against a running kada', () => {
  it('every case is dead-lettered with its reason and recorded; kada keeps consuming and syncing', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    for (const c of cases) await fx.publish(fx.exchangeFor(c.routingKey), c.routingKey, c.body);

    const dead = `${fx.queue}.dead`;
    await eventually(async () => (await fx.readyCount(dead)) === cases.length, {
      what: 'every case in the dead-letter queue',
      timeoutMs: 60_000,
    });
    const letters = await fx.onFreshChannel(async (ch) => {
      const out: { content: Buffer; headers: Record<string, unknown> }[] = [];
      for (let m = await ch.get(dead, { noAck: true }); m; m = await ch.get(dead, { noAck: true }))
        out.push({ content: m.content, headers: m.properties.headers ?? {} });
      return out;
    });
    // Each dead letter is one case, unchanged, with the code the corpus documents and a reason.
    const unclaimed = [...cases];
    for (const l of letters) {
      const i = unclaimed.findIndex((c) => c.body.equals(l.content));
      expect(
        i,
        `a dead letter that is none of the cases: ${l.content.subarray(0, 80).toString()}`,
      ).toBeGreaterThanOrEqual(0);
      const c = unclaimed.splice(i, 1)[0]!;
      expect(l.headers[DEAD_LETTER_HEADERS.code], c.name).toBe(c.expectCode);
      expect(String(l.headers[DEAD_LETTER_HEADERS.error]), c.name).toMatch(new RegExp(`^${c.expectCode}: .+`));
      expect(l.headers[DEAD_LETTER_HEADERS.routingKey], c.name).toBe(c.routingKey);
    }
    expect(unclaimed.map((c) => c.name)).toEqual([]);

    // The admin sees every one; none reached the inbox; nothing waits to be redelivered.
    const recorded: { code: string }[] = await db().query(`SELECT code FROM errors WHERE kind = 'dead_letter'`);
    expect(recorded.map((r) => r.code).sort()).toEqual(cases.map((c) => c.expectCode).sort());
    expect((await db().query(`SELECT count(*)::int AS n FROM inbox`))[0].n).toBe(0);
    expect(await fx.readyCount(fx.queue)).toBe(0);

    // The same process is still up, ready, and turns the next good notification into a timetable.
    expect(kada.alive()).toBe(true);
    expect((await fetch(`${kada.url}/readyz`)).status).toBe(200);
    const student = h.institution
      .students()
      .find((s) => s.epost && h.institution.timetableOf(s.personlopenummer, '26h').length)!;
    const good = fsPersonMessage(student.personlopenummer);
    await fx.publish(fx.fsExchange, good.routingKey, good.body);
    const want = h.institution.timetableOf(student.personlopenummer, '26h').length;
    await eventually(
      () =>
        h.microsoft.graph.events(student.epost!).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio').length ===
        want,
      {
        what: "the good notification's timetable",
        timeoutMs: 60_000,
      },
    );
    const [row] = await db().query(`SELECT state FROM inbox WHERE notification_id = $1`, [good.body.jti]);
    expect(row.state).toBe('processed');
    expect(await stopGracefully(kada)).toBe(0);
    expect(kada.output()).not.toMatch(/"level":"(fatal)"/);
  });
});
