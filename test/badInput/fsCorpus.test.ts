import { describe, expect, it } from 'vitest';
import { fsPersonMessage, store } from '../planner/plannerFixture';
import { loadFsCases, useBadSourceWorld } from './badSources';

/**
 * Every case of test/fixtures/bad/fs through the real path: the person is first synced with good
 * data, then the FS emulator serves the case and an FS notification goes through the planner to
 * the person's job (syncPerson). The documented outcome is asserted (README in the fixture folder):
 * gone, no mailbox (recorded, not retried), or retried then failed with the error and the calendar
 * as it was; never "no courses" read from an FS failure.
 */

const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };

const world = useBadSourceWorld({ seed: 22, students: 20 });

function goodPerson(id: string) {
  return {
    personlopenummer: id,
    fornavn: 'Fs',
    etternavn: 'Case',
    brukernavn: `fs${id}`,
    epost: `fs${id}@uio.no`,
    feideId: `fs${id}@uio.no`,
  };
}
function goodRegistration(id: string) {
  return {
    personlopenummer: id,
    emne: { kode: 'IN1000', versjon: '1' },
    semester: { ar: 2026, termin: 'HØST' },
    aktiviteter: ['2-1'],
  };
}

/** What IN1000 group 2-1 gives a student, from the institution's own timetable. */
function in1000Group1Count(): number {
  return (world().h.institution.courseEvents(IN1000) ?? []).filter((e) => e.status_plenary || e.actid === '2-1').length;
}

describe('bad FS data through planner and syncPerson', () => {
  for (const c of loadFsCases()) {
    it(`${c.name}: ${c.description}`, async () => {
      const { h, sources, overrides: o, pipe, db, kadaEvents } = world();
      const id = c.personId;
      const before = `fs${id}@uio.no`;

      // Before: the person with good data and a synced timetable.
      sources.setFaults({});
      o.persons.set(id, goodPerson(id));
      o.registrations.set(id, [goodRegistration(id)]);
      o.roles.set(id, []);
      expect((await pipe.runJob(id)).state).toBe('done');
      const had = kadaEvents(before);
      expect(had).toHaveLength(in1000Group1Count());

      // Then FS answers the case, and says the person changed.
      if ('person' in c) o.persons.set(id, c.person);
      if (c.registrations) o.registrations.set(id, c.registrations);
      if (c.roles) o.roles.set(id, c.roles);
      sources.setFaults(c.faults ?? {});
      const message = fsPersonMessage(id);
      await store(db(), message);
      await pipe.plan();
      await pipe.settle();
      sources.setFaults({});
      const [row] = await db().query(`SELECT state FROM inbox WHERE notification_id = $1`, [message.body.jti]);
      expect(row.state).toBe('processed');
      const job = await pipe.lastJob(id);
      const [person] = await db().query(`SELECT status, mailbox FROM persons WHERE person_id = $1`, [id]);

      switch (c.expect.outcome) {
        case 'failed':
          // Retried, then failed with the error; what the calendar had is untouched.
          expect(job).toMatchObject({ state: 'failed', attempts: pipe.maxAttempts });
          expect(job.lastError).toContain(c.expect.code);
          expect(kadaEvents(before)).toEqual(had);
          break;
        case 'gone': {
          // FS's first "gone" is only a sighting (fs.md): nothing removed, the person not marked gone.
          const [done] = await db().query(
            `SELECT result FROM jobs WHERE person_id = $1 AND state = 'done' ORDER BY id DESC LIMIT 1`,
            [id],
          );
          expect(done.result).toMatchObject({ outcome: 'gone_pending' });
          // The newest job is kada's own second look, queued for 15 minutes later.
          expect(job.state).toBe('queued');
          expect(job.runAt.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
          expect(person.status).toBe('active');
          expect(kadaEvents(before)).toEqual(had);
          // FS says so again at least 15 minutes later: now it counts.
          await db().query(
            "UPDATE wipe_sightings SET first_seen_at = now() - interval '15 minutes' " +
              "WHERE kind = 'person' AND subject = $1",
            [id],
          );
          const again = await pipe.runJob(id);
          expect(again.state).toBe('done');
          expect(again.result).toMatchObject({ outcome: 'gone' });
          const [after] = await db().query(`SELECT status FROM persons WHERE person_id = $1`, [id]);
          expect(after.status).toBe('gone');
          expect(kadaEvents(before)).toEqual([]);
          break;
        }
        case 'no_mailbox': {
          expect(job).toMatchObject({ state: 'done', attempts: 1 });
          expect(job.result).toMatchObject({ outcome: 'no_mailbox' });
          expect(person).toEqual({ status: 'no_mailbox', mailbox: null });
          const errors = await db().query(`SELECT code FROM errors WHERE person_id = $1 AND kind = 'person'`, [id]);
          expect(errors.map((e: { code: string }) => e.code)).toEqual([c.expect.error]);
          // What kada wrote for them goes; no address was made up from what FS sent.
          expect(kadaEvents(before)).toEqual([]);
          const sent = String((c.person as { epost?: unknown } | undefined)?.epost ?? '')
            .trim()
            .toLowerCase();
          if (sent) expect(h.microsoft.graph.requestLog().filter((r) => r.mailbox?.toLowerCase() === sent)).toEqual([]);
          break;
        }
        case 'synced': {
          expect(job.state).toBe('done');
          expect(job.result).toMatchObject({ outcome: 'synced' });
          const mailbox = c.expect.mailbox ?? before;
          expect(person).toEqual({ status: 'active', mailbox });
          expect(kadaEvents(mailbox)).toHaveLength(in1000Group1Count());
          if (mailbox !== before) expect(kadaEvents(before)).toEqual([]);
          break;
        }
      }
    });
  }
});
