import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonym } from '../../src/log/pseudonym';
import { createAmqpFixture, eventually, type AmqpFixture } from '../intake/amqpFixture';
import { fsPersonMessage, tpCourseMessage } from '../planner/plannerFixture';
import { ADMIN_TOKEN, startHarness, type Harness } from '../../testkit/support/harness';
import { amqpEnv, CLI, startKadaRun, type KadaProcess } from './pipelineFixture';

const run = promisify(execFile);

/**
 * `kada run` at LOG_LEVEL=info through a real flow (FS and TP notifications, a person without a
 * mailbox, a person gone from FS, an operator's rebuild): every line at info and above is searched
 * for the synthetic persons' numbers, e-mail addresses, usernames and names: 0 hits. The same
 * search over a run at LOG_LEVEL=debug finds them in the debug lines, so it does look.
 */
const SEMESTER = '26h';
const LOG_KEY = 'log-key-for-this-test-0123';
let h: Harness;
let amqpFx: AmqpFixture;
const started: KadaProcess[] = [];

beforeAll(async () => {
  amqpFx = await createAmqpFixture('pdlogs');
  h = await startHarness({
    seed: 11,
    students: 30,
    noContext: true,
    env: { ...amqpEnv(amqpFx), KADA_LOG_KEY: LOG_KEY },
  });
});
afterAll(async () => {
  for (const p of started) if (p.alive()) p.child.kill('SIGKILL');
  await Promise.all(started.map((p) => p.exited));
  await h?.close();
  await amqpFx?.close();
});

const publish = (m: { routingKey: string; body: object }) =>
  amqpFx.publish(amqpFx.exchangeFor(m.routingKey), m.routingKey, m.body);

async function idle(): Promise<boolean> {
  const [r] = await h.db.dataSource.query(
    `SELECT (SELECT count(*) FROM inbox WHERE state = 'pending')::int AS inbox,
            (SELECT count(*) FROM jobs WHERE state IN ('queued', 'running'))::int AS jobs`,
  );
  return r.inbox === 0 && r.jobs === 0;
}

/** Runs kada with the given log level while `drive` sends work, and returns its log lines, parsed. */
async function logsOf(level: string, drive: () => Promise<void>): Promise<{ level: string; raw: string }[]> {
  // A person gone from FS is removed on FS's second answer (service.md: 15 minutes; 1 s here), so the run
  // goes through the removal and its log lines too instead of leaving a second look queued.
  const p = await startKadaRun(h.env, { LOG_LEVEL: level, KADA_WORKERS: '4', KADA_CONFIRM_DELAY_MS: '1000' });
  started.push(p);
  await p.waitReady();
  await drive();
  await eventually(idle, { what: 'all work done', timeoutMs: 90_000 });
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
  return p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((raw) => ({ level: JSON.parse(raw).level as string, raw }));
}

/** Every synthetic person's number, e-mail, username and full name, as patterns. */
function personalPatterns(): { what: string; re: RegExp }[] {
  const persons = [...h.institution.students(), ...h.institution.lecturers()];
  return persons.flatMap((p) => [
    { what: `number ${p.personlopenummer}`, re: new RegExp(`(?<!\\d)${p.personlopenummer}(?!\\d)`) },
    ...(p.epost ? [{ what: `e-mail ${p.epost}`, re: new RegExp(p.epost.replace(/\./g, '\\.'), 'i') }] : []),
    { what: `username ${p.brukernavn}`, re: new RegExp(`\\b${p.brukernavn}\\b`) },
    { what: `name ${p.fornavn} ${p.etternavn}`, re: new RegExp(`${p.fornavn} ${p.etternavn}`) },
  ]);
}

const hits = (lines: { raw: string }[]) =>
  lines.flatMap((l) =>
    personalPatterns()
      .filter((p) => p.re.test(l.raw))
      .map((p) => `${p.what} in ${l.raw}`),
  );
const INFO_UP = ['info', 'warn', 'error', 'fatal'];

describe('personal data in the logs of a real run', () => {
  it('no line at info or above names a person; each per-person line carries the keyed hash', async () => {
    const withMailbox = h.institution
      .students()
      .filter((s) => s.epost && h.institution.timetableOf(s.personlopenummer, SEMESTER).length);
    const noMailbox = h.institution.students().find((s) => !s.epost);
    const leaving = withMailbox[5]!;
    const lines = await logsOf('info', async () => {
      for (const s of withMailbox.slice(0, 6)) await publish(fsPersonMessage(s.personlopenummer));
      if (noMailbox) await publish(fsPersonMessage(noMailbox.personlopenummer));
      await publish(tpCourseMessage(h.institution.courses(SEMESTER)[0]!.ref));
      await eventually(idle, { what: 'the first syncs', timeoutMs: 90_000 });
      h.institution.removePerson(leaving.personlopenummer);
      await publish(fsPersonMessage(leaving.personlopenummer));
      const base = started.at(-1)!.url;
      const r = await fetch(`${base}/api/persons/${withMailbox[0]!.personlopenummer}/rebuild`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(r.status).toBe(202);
    });
    const infoUp = lines.filter((l) => INFO_UP.includes(l.level));
    expect(infoUp.length).toBeGreaterThan(10);
    expect(hits(infoUp)).toEqual([]);
    // lines are still about someone: the synced persons' pseudonyms are there
    const text = infoUp.map((l) => l.raw).join('\n');
    for (const s of withMailbox.slice(0, 6)) expect(text).toContain(pseudonym(LOG_KEY, s.personlopenummer));
    expect(text).toContain('person no longer in FS');
    // `kada pseudonym` prints what to search for
    const printed = await run(process.execPath, [CLI, 'pseudonym', withMailbox[0]!.personlopenummer], {
      env: { ...process.env, ...h.env },
    });
    expect(text).toContain(printed.stdout.trim());
  }, 180_000);

  it('the same search finds them at debug, and still not in the info lines of that run', async () => {
    const s = h.institution
      .students()
      .filter((x) => x.epost && h.institution.timetableOf(x.personlopenummer, SEMESTER).length)[10]!;
    const lines = await logsOf('debug', async () => {
      await publish(fsPersonMessage(s.personlopenummer));
    });
    const debug = lines.filter((l) => l.level === 'debug');
    expect(hits(debug).some((x) => x.startsWith(`number ${s.personlopenummer}`))).toBe(true);
    expect(hits(debug).some((x) => x.startsWith(`e-mail ${s.epost}`))).toBe(true);
    expect(hits(lines.filter((l) => INFO_UP.includes(l.level)))).toEqual([]);
  }, 180_000);
});
