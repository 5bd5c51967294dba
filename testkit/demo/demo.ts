import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { DateTime } from 'luxon';
import { type RunningService, startService } from '../../src/app/runService';
import { loadConfig } from '../../src/config/config';
import { createDataSource, migrate } from '../../src/db/dataSource';
import { databaseUrlNamed, onServer } from '../support/scratchDatabase';
import { KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import { type MicrosoftEmulator, startMicrosoftEmulator } from '../graph/graphEmulator';
import { type FsWirePerson, generateInstitution, type Institution } from '../institution/institution';
import { type SourceEmulator, startSourceEmulator } from '../sources/sourceEmulator';
import { parseTpTime } from '../../src/desired/time';
import { createLogger } from '../../src/log/logger';
import type { OidcProvider } from '../oidc/oidcProvider';
import { rebuildAsDemoOperator, startDemoIdentity } from './demoSignIn';
import { roomEventKey } from '../../src/desired/eventKey';
import { importRoomMapping } from '../../src/rooms/importRooms';
import type { TpWireRoom } from '../institution/institutionTypes';

/**
 * `npm run demo`: a synthetic university end to end on embedded defaults. FS notifications for
 * every person go through RabbitMQ into `kada run` (consumer, planner, workers), which fills the
 * emulated Exchange calendars; two TP rooms are mapped to room mailboxes (ROOM_CALENDARS=on) and
 * filled; then a lecture moves in TP and a CloudEvents notification follows, to the students and the room.
 */

const STUDENTS = Number(process.env.DEMO_STUDENTS ?? 60);
const LATENCY = Number(process.env.DEMO_GRAPH_LATENCY_MS ?? 20);
const KEEP = process.argv.includes('--keep');
const QUEUE = 'kada-demo';
const out = (s = '') => process.stdout.write(`${s}\n`);

async function resetDatabase(baseUrl: string, name: string): Promise<string> {
  await onServer(baseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await onServer(baseUrl, `CREATE DATABASE ${name}`);
  return databaseUrlNamed(baseUrl, name);
}

async function waitQuiet(db: { query(sql: string): Promise<any> }, label: string, timeoutMs = 600_000): Promise<void> {
  const start = Date.now();
  let last = '';
  for (;;) {
    const [r] = await db.query(
      `SELECT (SELECT count(*) FROM inbox WHERE state = 'pending')::int AS inbox,
              (SELECT count(*) FROM jobs WHERE state IN ('queued','running'))::int AS jobs,
              (SELECT count(*) FROM jobs WHERE state = 'done')::int AS done`,
    );
    const line = `  ${label}: ${r.inbox} notifications waiting, ${r.jobs} person jobs queued/running, ${r.done} done`;
    if (line !== last && process.stdout.isTTY) process.stdout.write(`\r${line}   `);
    last = line;
    if (r.inbox === 0 && r.jobs === 0) break;
    if (Date.now() - start > timeoutMs) throw new Error(`${label}: not quiet after ${timeoutMs / 1000}s`);
    await new Promise((res) => setTimeout(res, 250));
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  else out(last);
}

function fmt(e: { subject: string; startUtc: string; endUtc: string; location: { displayName: string } }): string {
  const s = DateTime.fromISO(e.startUtc).setZone('Europe/Oslo');
  const en = DateTime.fromISO(e.endUtc).setZone('Europe/Oslo');
  return (
    `${s.setLocale('nb').toFormat('ccc dd.MM HH:mm')}–${en.toFormat('HH:mm')}  ` +
    `${e.subject}${e.location.displayName ? `  @ ${e.location.displayName}` : ''}`
  );
}

/** What the steps share: the synthetic university, its emulators and the running kada. */
interface Demo {
  institution: Institution;
  sources: SourceEmulator;
  microsoft: MicrosoftEmulator;
  env: Record<string, string>;
  idp: OidcProvider;
  service: RunningService;
  conn: ChannelModel;
  ch: ConfirmChannel;
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL || !process.env.AMQP_URL || !process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(
      'run the demo with `npm run demo` (scripts/demo.sh starts PostgreSQL, RabbitMQ and trusts the emulator CA)',
    );
  }
  out('kada demo: a synthetic university, real PostgreSQL and RabbitMQ, emulated TP/FS and Microsoft 365\n');
  const demo = await startDemo(process.env.DATABASE_URL, process.env.AMQP_URL);
  const persons = [...demo.institution.students(), ...demo.institution.lecturers()];
  await fillCalendars(demo, persons);
  const student = printCalendars(demo);
  const room = await mapTwoRooms(demo, student);
  await moveALecture(demo, student, room);
  await icsFeed(demo, student);
  await resyncUnchanged(demo, persons.slice(0, 20));
  out(await rebuildAsDemoOperator(demo.service.adminUrl, student.personlopenummer));
  if (KEEP) {
    out(
      `\nkada keeps running; admin page http://localhost:${demo.env.PORT}/: Sign in, then "Sign in as demo-operator" ` +
        `(or demo-reader); machine token ${demo.env.ADMIN_TOKEN}. Ctrl-C to stop.`,
    );
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
  await stopDemo(demo);
  out('\ndemo finished. `npm run demo -- --keep` leaves kada running with its admin page.');
}

/** The emulated TP/FS and Microsoft 365, a fresh kada_demo database, RabbitMQ exchanges, then `kada run`. */
async function startDemo(baseDatabaseUrl: string, amqpUrl: string): Promise<Demo> {
  const institution = generateInstitution({ seed: 2026, students: STUDENTS, semesters: ['26h'], institution: 'uio' });
  const sources = await startSourceEmulator({ institution, tpApiKey: 'demo-tp-key', fsApiKey: 'demo-fs-key' });
  const microsoft = await startMicrosoftEmulator({ latencyMs: LATENCY, jitterMs: Math.round(LATENCY / 4) });
  const databaseUrl = await resetDatabase(baseDatabaseUrl, 'kada_demo');
  const port = process.env.PORT ?? '8080';
  const identity = await startDemoIdentity(port);
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    AMQP_URL: amqpUrl,
    AMQP_QUEUE: QUEUE,
    AMQP_BINDINGS: 'ex_fs_demo:no.uio.fs.#,ex_tp_demo:no.uio.tp.#',
    TP_BASE_URL: sources.tpBaseUrl,
    TP_API_KEY: 'demo-tp-key',
    FS_BASE_URL: sources.fsBaseUrl,
    FS_API_KEY: 'demo-fs-key',
    KADA_INSTITUTION: 'uio',
    KADA_SEMESTERS: '26h',
    ADMIN_TOKEN: 'demo-admin-token-0123456789',
    PORT: port,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ROOM_CALENDARS: 'on',
    ...microsoft.env(),
    ...identity.env,
  };
  const config = loadConfig(env);
  out(
    `institution: ${institution.students().length} students, ${institution.lecturers().length} lecturers, ` +
      `${institution.courses('26h').length} courses`,
  );
  out(
    `TP/FS emulator ${sources.url}, Graph emulator ${microsoft.graphBaseUrl} (latency ${LATENCY} ms, 4 concurrent ` +
      `requests per app)`,
  );

  const ds = createDataSource(databaseUrl, { poolSize: 2 });
  await ds.initialize();
  out(`database kada_demo: migrations applied: ${(await migrate(ds)).join(', ') || 'none'}`);
  await ds.destroy();

  const { conn, ch } = await openPublisher(amqpUrl);
  const logger = createLogger({
    level: config.logLevel,
    destination: process.stderr as never,
    secrets: ['demo-tp-key', 'demo-fs-key', microsoft.clientSecret ?? 'x'],
  });
  const service = await startService(config, { env, logger });
  out(`kada run is up: admin page ${service.adminUrl}/ (token ${env.ADMIN_TOKEN})\n`);
  for (let i = 0; !service.consumer.isConnected(); i++) {
    if (i > 200) throw new Error('kada did not connect to RabbitMQ within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { institution, sources, microsoft, env, idp: identity.idp, service, conn, ch };
}

/** A channel to publish as FS and TP would, on an empty demo queue. */
async function openPublisher(amqpUrl: string): Promise<{ conn: ChannelModel; ch: ConfirmChannel }> {
  const conn = await amqp.connect(amqpUrl);
  const ch = await conn.createConfirmChannel();
  await ch.deleteQueue(QUEUE).catch(() => undefined);
  await ch.deleteQueue(`${QUEUE}.dead`).catch(() => undefined);
  // FS and TP own their exchanges; kada declares them too, but the publisher must not depend on that.
  await ch.assertExchange('ex_fs_demo', 'topic', { durable: true });
  await ch.assertExchange('ex_tp_demo', 'topic', { durable: true });
  return { conn, ch };
}

/** 1. FS says every person changed (as after a semester start): one notification each. */
async function fillCalendars({ service, microsoft, ch }: Demo, persons: FsWirePerson[]): Promise<void> {
  const started = Date.now();
  await publishPersonUpdates(ch, persons);
  out(`published ${persons.length} FS personer.update notifications to RabbitMQ`);
  await new Promise((r) => setTimeout(r, 500));
  await waitQuiet(service.ctx.db, 'initial fill');
  const fillSeconds = (Date.now() - started) / 1000;
  const st = microsoft.graph.stats();
  out(
    `calendars filled in ${fillSeconds.toFixed(1)} s: ${st.writes.create} events created with ${st.batches} $batch ` +
      `requests (${(st.requests.total / Math.max(1, st.writes.create)).toFixed(3)} HTTP requests per event), ` +
      `${st.throttled} throttled\n`,
  );
}

/** 2. What landed in a few calendars; returns the first student shown. */
function printCalendars({ institution, microsoft }: Demo): FsWirePerson {
  const student = institution.students().find((s) => s.epost)!;
  const lecturer = institution.lecturers()[0]!;
  for (const p of [student, institution.students().filter((s) => s.epost)[1]!, lecturer]) {
    const events = microsoft.graph.events(p.epost!).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio');
    events.sort((a, b) => a.startUtc.localeCompare(b.startUtc));
    const expected = institution.timetableOf(p.personlopenummer, '26h').length;
    out(`${p.fornavn} ${p.etternavn} <${p.epost}>: ${events.length} events (TP says ${expected}); the first five:`);
    for (const e of events.slice(0, 5)) out(`   ${fmt(e)}`);
  }
  return student;
}

/** The student's first course and the two lectures step 4 changes. */
function lecturesToChange(institution: Institution, student: FsWirePerson) {
  const reg = institution.registrationsOfPerson(student.personlopenummer, '26h')[0]!;
  const ref = { courseId: reg.emne.kode, version: reg.emne.versjon, semester: '26h' };
  const lectures = institution.courseEvents(ref)!.filter((e) => e.status_plenary && e.status === 'active');
  return { ref, moved: lectures[3]!, cancelled: lectures[4]! };
}

const roomMailbox = (room: TpWireRoom) => `${room.id.toLowerCase()}@rooms.uio.no`;

/**
 * 3. Room calendars: the auditorium of the lecture that step 4 moves and a seminar room get room mailboxes
 * (resource mailboxes in the tenant, listed by /places) and are mapped as `kada rooms import` does; kada fills
 * them with every TP occurrence booked in them. Returns the auditorium.
 */
async function mapTwoRooms({ institution, microsoft, service }: Demo, student: FsWirePerson): Promise<TpWireRoom> {
  const auditorium = lecturesToChange(institution, student).moved.room[0]!;
  const booked = institution
    .courses('26h')
    .flatMap((c) => (institution.courseEvents(c.ref) ?? []).flatMap((e) => e.room));
  const other = booked.find((r) => r.id !== auditorium.id && !r.roomid.startsWith('AUD')) ?? booked[0]!;
  for (const r of [auditorium, other])
    microsoft.graph.addRoom({ emailAddress: roomMailbox(r), displayName: r.roomname, building: r.buildingname });
  const imported = await importRoomMapping(
    service.ctx.dataSource,
    [auditorium, other].map((r) => ({ roomId: r.id, mailbox: roomMailbox(r) })),
  );
  out(`
kada rooms import: ${imported.added.join(' and ')} mapped to room mailboxes (ROOM_CALENDARS=on)`);
  await waitQuiet(service.ctx.db, 'room fill');
  for (const r of [auditorium, other]) {
    const events = microsoft.graph
      .events(roomMailbox(r))
      .filter((e) => e.extendedProperties[OWNER_PROP] === 'uio')
      .sort((a, b) => a.startUtc.localeCompare(b.startUtc));
    const expected = institution
      .courses('26h')
      .flatMap((c) => institution.courseEvents(c.ref) ?? [])
      .filter((e) => e.room.some((x) => x.id === r.id)).length;
    out(`room ${r.roomname}, ${r.buildingname} <${roomMailbox(r)}>: ${events.length} bookings (TP says ${expected});`);
    out('   the first five:');
    for (const e of events.slice(0, 5)) out(`   ${fmt(e)}`);
  }
  return auditorium;
}

/** 4. A planner moves a lecture two hours later and cancels the next one; TP notifies (CloudEvents). */
async function moveALecture(
  { institution, microsoft, service, ch }: Demo,
  student: FsWirePerson,
  room: TpWireRoom,
): Promise<void> {
  const { ref, moved, cancelled } = lecturesToChange(institution, student);
  const newStart = parseTpTime(moved.dtstart)!.plus({ hours: 2 });
  const newEnd = parseTpTime(moved.dtend)!.plus({ hours: 2 });
  institution.moveEvent(ref, moved.eventid, newStart.toISO()!, newEnd.toISO()!);
  institution.cancelEvent(ref, cancelled.eventid);
  const changeAt = Date.now();
  const writesBefore = microsoft.graph.stats().writes.update;
  const ce = {
    specversion: '1.0',
    id: randomUUID(),
    source: 'https://tp.uio.no',
    type: 'no.uio.tp.course.update',
    subject: `courses/${ref.courseId},${ref.version}/26h`,
    time: new Date().toISOString(),
  };
  ch.publish('ex_tp_demo', 'no.uio.tp.TP-prod.courses.update', Buffer.from(JSON.stringify(ce)), {
    persistent: true,
    contentType: 'application/cloudevents+json',
  });
  await ch.waitForConfirms();
  out(
    `\nTP: ${ref.courseId} lecture ${moved.eventid} moved two hours later, ${cancelled.eventid} cancelled; ` +
      `notification published`,
  );
  const key = (id: string) => `tp:26h:${ref.courseId},${ref.version}:${id}`;
  const find = (id: string) =>
    microsoft.graph.events(student.epost!).find((e) => e.extendedProperties[KEY_PROP] === key(id));
  for (;;) {
    const e = find(moved.eventid);
    if (
      e &&
      DateTime.fromISO(e.startUtc).toMillis() === newStart.toMillis() &&
      find(cancelled.eventid)?.subject.startsWith('AVLYST')
    )
      break;
    if (Date.now() - changeAt > 60_000) throw new Error('the change did not reach the calendar within a minute');
    await new Promise((r) => setTimeout(r, 50));
  }
  out(`in ${student.fornavn}'s calendar after ${((Date.now() - changeAt) / 1000).toFixed(2)} s:`);
  out(`   ${fmt(find(moved.eventid)!)}`);
  out(`   ${fmt(find(cancelled.eventid)!)}`);
  await waitQuiet(service.ctx.db, 'fan-out');
  const booking = microsoft.graph
    .events(roomMailbox(room))
    .find((e) => e.extendedProperties[KEY_PROP] === roomEventKey(ref, moved.eventid));
  out(`and in the room mailbox of ${room.roomname}: ${booking ? fmt(booking) : '(missing!)'}`);
  const affected = institution.registrationsOfCourse(ref).length;
  out(
    `the change touched ${microsoft.graph.stats().writes.update - writesBefore} events: 2 occurrences for each of ` +
      `the ${affected} registered students, the lecturers and the mapped auditorium, nothing else`,
  );
}

/**
 * 3b. The student's ICS feed: the admin API makes the URL, `curl` fetches it (the moved and the
 * cancelled lecture are in it as in Outlook), and again with its ETag: 304.
 */
async function icsFeed({ service, env }: Demo, student: FsWirePerson): Promise<void> {
  const res = await fetch(`${service.adminUrl}/api/persons/${student.brukernavn}/ics`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
  });
  if (res.status !== 201) throw new Error(`POST /api/persons/{person}/ics answered ${res.status}`);
  const { url } = (await res.json()) as { url: string };
  out(`
ICS feed of ${student.fornavn} (kada ics create ${student.brukernavn}): ${url}`);
  // The printed URL names ICS_BASE_URL (localhost); fetch it where this process's kada listens.
  const local = `${service.adminUrl}${new URL(url).pathname}`;
  // Asynchronous on purpose: kada answers from this very process, so a synchronous child would wait for
  // an event loop it blocks (curl then times out after 60 s).
  const curl = async (...args: string[]) =>
    (await promisify(execFile)('curl', ['-sS', '--max-time', '60', ...args], { encoding: 'utf8' })).stdout;
  let body: string;
  let etag = '';
  try {
    const head = await curl('-D', '-', '-o', '/dev/null', local);
    etag = /^etag: *(.+?)\r?$/im.exec(head)?.[1] ?? '';
    body = await curl(local);
  } catch (err) {
    out(`   (curl failed: ${(err as Error).message.split('\n')[0]}; fetched with Node instead)`);
    const r = await fetch(local, { signal: AbortSignal.timeout(60_000) });
    etag = r.headers.get('etag') ?? '';
    body = await r.text();
  }
  const events = body.split('BEGIN:VEVENT').length - 1;
  const cancelled = (body.match(/^STATUS:CANCELLED/gm) ?? []).length;
  out(`   curl ${url}\n   -> ${events} VEVENTs, ${cancelled} with STATUS:CANCELLED, ETag ${etag}`);
  const again = await fetch(local, { headers: { 'if-none-match': etag }, signal: AbortSignal.timeout(60_000) });
  out(`   curl -H 'If-None-Match: ${etag}' ... -> ${again.status} (nothing changed)`);
}

/** 4. The same FS notifications again: nothing to write. */
/** 5. The same FS notifications again: nothing to write. */
async function resyncUnchanged({ microsoft, service, ch }: Demo, persons: FsWirePerson[]): Promise<void> {
  const label = `resync of ${persons.length} unchanged persons`;
  const before = microsoft.graph.stats().writes;
  await publishPersonUpdates(ch, persons);
  await new Promise((r) => setTimeout(r, 500));
  await waitQuiet(service.ctx.db, label);
  const after = microsoft.graph.stats().writes;
  const writes = after.create - before.create + after.update - before.update + after.delete - before.delete;
  out(`${label}: ${writes} Graph writes`);
}

/** One FS `personer.update` notification per person, confirmed by the broker. */
async function publishPersonUpdates(ch: ConfirmChannel, persons: FsWirePerson[]): Promise<void> {
  for (const p of persons) {
    const body = {
      sub: `personer/${p.personlopenummer}`,
      iss: 'FS-prod',
      iat: String(Date.now()),
      operation: 'update',
      jti: randomUUID(),
      person_id: p.personlopenummer,
    };
    ch.publish('ex_fs_demo', 'no.uio.fs.FS-prod.personer.update', Buffer.from(JSON.stringify(body)), {
      persistent: true,
      contentType: 'application/json',
    });
  }
  await ch.waitForConfirms();
}

async function stopDemo({ service, conn, ch, sources, microsoft, idp }: Demo): Promise<void> {
  await service.stop();
  await ch.close();
  await conn.close();
  await Promise.all([sources.close(), microsoft.close(), idp.close()]);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
