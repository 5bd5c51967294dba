import fs from 'node:fs';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEY_PROP, OWNER_PROP, markerProperties } from '../../src/domain/markers';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../testkit/graph/graphEmulator';

// The emulators speak HTTPS with a local CA that Node only trusts when told at start-up.
const CA = process.env.NODE_EXTRA_CA_CERTS;
if (!CA || !fs.existsSync(CA)) {
  throw new Error(
    'NODE_EXTRA_CA_CERTS must point at the emulator CA before the test process starts. Run: ' +
      'npx tsx testkit/graph/certs.ts .tmp/certs && NODE_EXTRA_CA_CERTS=$PWD/.tmp/certs/ca.pem npx vitest run ' +
      'test/emulators (or npm test)',
  );
}

/*
 * Series occurrences and exceptions as Graph v1.0 has them, driven through the real Graph JS client:
 * /instances, an occurrence turned into an exception by PATCH, one cancelled by DELETE, Outlook's
 * crossing-boundary rule, and what a master PATCH does to the exceptions.
 */

let emu: MicrosoftEmulator;
let client: Client;

type GraphEvent = {
  id: string;
  type: string;
  subject: string;
  seriesMasterId: string | null;
  originalStart?: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  singleValueExtendedProperties?: { id: string; value: string }[];
};
type Page = { value: GraphEvent[]; '@odata.nextLink'?: string };

// kada asks for immutable ids on every request (graph.md); inspection shows those ids.
const OSLO = 'outlook.timezone="W. Europe Standard Time", IdType="ImmutableId"';
const WINDOW = { startDateTime: '2026-10-01T00:00:00', endDateTime: '2026-12-01T00:00:00' };

let mailboxCounter = 0;
const freshMailbox = () => `series${++mailboxCounter}@uio.no`;
const eventsPath = (mb: string, id?: string) =>
  `/users/${encodeURIComponent(mb)}/events${id ? `/${encodeURIComponent(id)}` : ''}`;

/**
 * Tuesdays 08:15-10:00 in Oslo, 6 October to 3 November 2026: five lectures over the end of summer time
 * (25 October).
 */
async function createSeries(mb: string, key = 'k-series'): Promise<GraphEvent> {
  return (await client.api(eventsPath(mb)).post({
    subject: 'IN1000 Forelesning',
    start: { dateTime: '2026-10-06T08:15:00', timeZone: 'W. Europe Standard Time' },
    end: { dateTime: '2026-10-06T10:00:00', timeZone: 'W. Europe Standard Time' },
    showAs: 'busy',
    location: { displayName: 'Store auditorium' },
    recurrence: {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
      range: {
        type: 'endDate',
        startDate: '2026-10-06',
        endDate: '2026-11-03',
        recurrenceTimeZone: 'W. Europe Standard Time',
      },
    },
    singleValueExtendedProperties: markerProperties('uio', key, 'h1'),
  })) as GraphEvent;
}

async function instances(mb: string, masterId: string, prefer = OSLO): Promise<GraphEvent[]> {
  const page = (await client
    .api(`${eventsPath(mb, masterId)}/instances`)
    .query(WINDOW)
    .header('Prefer', prefer)
    .top(50)
    .get()) as Page;
  return page.value;
}

/** The Graph error a call fails with (the client throws GraphError with the status and Graph's code). */
async function failure(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GraphError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

const wall = (e: GraphEvent) => `${e.start.dateTime.slice(0, 16)}-${e.end.dateTime.slice(11, 16)}`;

beforeAll(async () => {
  emu = await startMicrosoftEmulator({ retryAfterSeconds: 1 });
  const res = await fetch(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emu.clientId,
      client_secret: emu.clientSecret!,
      scope: `${emu.graph.origin}/.default`,
    }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const url = new URL(emu.graphBaseUrl);
  client = Client.init({
    authProvider: (done) => done(null, token),
    fetchOptions: { headers: { Prefer: 'IdType="ImmutableId"' } },
    baseUrl: `${url.origin}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([url.hostname]),
  });
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.graph.clearFaults();
  emu.graph.resetStats();
});

describe('graph emulator: series instances', () => {
  it('lists the instances of a weekly series: stable ids, UTC originalStart, wall-clock time over DST', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    expect(master.type).toBe('seriesMaster');

    const list = await instances(mb, master.id);
    expect(list.map(wall)).toEqual([
      '2026-10-06T08:15-10:00',
      '2026-10-13T08:15-10:00',
      '2026-10-20T08:15-10:00',
      '2026-10-27T08:15-10:00',
      '2026-11-03T08:15-10:00',
    ]);
    expect(list.every((e) => e.start.timeZone === 'W. Europe Standard Time')).toBe(true);
    // 08:15 in Oslo is 06:15 UTC in summer time and 07:15 UTC after 25 October
    expect(list.map((e) => e.originalStart)).toEqual([
      '2026-10-06T06:15:00Z',
      '2026-10-13T06:15:00Z',
      '2026-10-20T06:15:00Z',
      '2026-10-27T07:15:00Z',
      '2026-11-03T07:15:00Z',
    ]);
    expect(
      list.every(
        (e) => e.type === 'occurrence' && e.seriesMasterId === master.id && e.subject === 'IN1000 Forelesning',
      ),
    ).toBe(true);
    const ids = list.map((e) => e.id);
    expect(new Set(ids).size).toBe(5);
    expect(ids).not.toContain(master.id);
    expect(ids.every((id) => decodeURIComponent(encodeURIComponent(id)) === id && /^[A-Za-z0-9_-]+$/.test(id))).toBe(
      true,
    );
    // the same series listed again gives the same ids
    expect((await instances(mb, master.id)).map((e) => e.id)).toEqual(ids);

    // without Prefer the times are UTC
    const utc = await instances(mb, master.id, 'outlook.body-content-type="text"');
    expect(utc[3]!.start).toEqual({ dateTime: '2026-10-27T07:15:00.0000000', timeZone: 'UTC' });

    // an occurrence by its id, and through the calendar paths
    const one = (await client.api(eventsPath(mb, ids[2])).header('Prefer', OSLO).get()) as GraphEvent;
    expect([one.id, one.type, one.seriesMasterId, wall(one)]).toEqual([
      ids[2],
      'occurrence',
      master.id,
      '2026-10-20T08:15-10:00',
    ]);
    const calId = emu.graph.defaultCalendarId(mb);
    const viaCalendar = (await client
      .api(`/users/${mb}/calendars/${encodeURIComponent(calId)}/events/${encodeURIComponent(master.id)}/instances`)
      .query(WINDOW)
      .get()) as Page;
    expect(viaCalendar.value.map((e) => e.id)).toEqual(ids);
    const viaDefault = (await client
      .api(`/users/${mb}/calendar/events/${encodeURIComponent(master.id)}/instances`)
      .query(WINDOW)
      .get()) as Page;
    expect(viaDefault.value.map((e) => e.id)).toEqual(ids);

    // occurrences inherit the master's extended properties; $select trims the rest
    const expanded = (await client
      .api(`${eventsPath(mb, master.id)}/instances`)
      .query(WINDOW)
      .select('id,subject,type,originalStart')
      .expand(`singleValueExtendedProperties($filter=id eq '${KEY_PROP}')`)
      .get()) as Page;
    expect(expanded.value[0]!.singleValueExtendedProperties).toEqual([{ id: KEY_PROP, value: 'k-series' }]);
    expect(Object.keys(expanded.value[0]!).sort()).toEqual([
      '@odata.etag',
      'id',
      'originalStart',
      'singleValueExtendedProperties',
      'subject',
      'type',
    ]);

    // a window picks the instances that overlap it
    const window = (await client
      .api(`${eventsPath(mb, master.id)}/instances`)
      .query({ startDateTime: '2026-10-13T07:00:00Z', endDateTime: '2026-10-20T06:15:00Z' })
      .get()) as Page;
    expect(window.value.map((e) => e.id)).toEqual([ids[1]]);

    // event lists keep showing only the master
    const listed = (await client.api(eventsPath(mb)).get()) as Page;
    expect(listed.value.map((e) => [e.id, e.type])).toEqual([[master.id, 'seriesMaster']]);
    const calendarListed = (await client.api(`/users/${mb}/calendar/events`).get()) as Page;
    expect(calendarListed.value.map((e) => e.id)).toEqual([master.id]);
  });

  it('answers Graph errors for a missing window and an unknown id, and an empty list for a single event', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    const missing = await failure(
      client
        .api(`${eventsPath(mb, master.id)}/instances`)
        .query({ startDateTime: WINDOW.startDateTime })
        .get(),
    );
    expect([missing.statusCode, missing.code, missing.message]).toEqual([
      400,
      'ErrorInvalidParameter',
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
    ]);
    const unknown = await failure(
      client
        .api(`${eventsPath(mb, 'AAMkAGInothere=')}/instances`)
        .query(WINDOW)
        .get(),
    );
    expect([unknown.statusCode, unknown.code]).toEqual([404, 'ErrorItemNotFound']);
    const single = (await client.api(eventsPath(mb)).post({
      subject: 'Lunsj',
      start: { dateTime: '2026-10-07T11:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-10-07T12:00:00', timeZone: 'W. Europe Standard Time' },
    })) as GraphEvent;
    expect(
      (
        (await client
          .api(`${eventsPath(mb, single.id)}/instances`)
          .query(WINDOW)
          .get()) as Page
      ).value,
    ).toEqual([]);
  });

  it('PATCH makes an occurrence an exception, DELETE cancels one, as /instances, GET and inspection show', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    const ids = (await instances(mb, master.id)).map((e) => e.id);

    // the 13 October lecture moves to Thursday 15th 12:15 with a subject of its own
    const patched = (await client
      .api(eventsPath(mb, ids[1]))
      .header('Prefer', OSLO)
      .patch({
        subject: 'IN1000 Forelesning (flyttet)',
        start: { dateTime: '2026-10-15T12:15:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-10-15T14:00:00', timeZone: 'W. Europe Standard Time' },
      })) as GraphEvent;
    expect([patched.id, patched.type, patched.seriesMasterId, patched.originalStart, wall(patched)]).toEqual([
      ids[1],
      'exception',
      master.id,
      '2026-10-13T06:15:00Z',
      '2026-10-15T12:15-14:00',
    ]);
    await client.api(eventsPath(mb, ids[3])).delete();
    const gone = await failure(client.api(eventsPath(mb, ids[3])).get());
    expect([gone.statusCode, gone.code]).toEqual([404, 'ErrorItemNotFound']);
    // deleting it again is a 404 too
    expect((await failure(client.api(eventsPath(mb, ids[3])).delete())).statusCode).toBe(404);

    const after = await instances(mb, master.id);
    expect(after.map((e) => [e.id, e.type, e.subject, wall(e)])).toEqual([
      [ids[0], 'occurrence', 'IN1000 Forelesning', '2026-10-06T08:15-10:00'],
      [ids[1], 'exception', 'IN1000 Forelesning (flyttet)', '2026-10-15T12:15-14:00'],
      [ids[2], 'occurrence', 'IN1000 Forelesning', '2026-10-20T08:15-10:00'],
      [ids[4], 'occurrence', 'IN1000 Forelesning', '2026-11-03T08:15-10:00'],
    ]);
    const exception = (await client
      .api(eventsPath(mb, ids[1]))
      .expand(`singleValueExtendedProperties($filter=id eq '${OWNER_PROP}')`)
      .get()) as GraphEvent;
    expect([exception.type, exception.subject, exception.singleValueExtendedProperties]).toEqual([
      'exception',
      'IN1000 Forelesning (flyttet)',
      [{ id: OWNER_PROP, value: 'uio' }],
    ]);

    const seen = emu.graph.occurrences(mb);
    expect(seen.map((o) => [o.id, o.seriesMasterId, o.type, o.subject, o.startUtc])).toEqual([
      [ids[0], master.id, 'occurrence', 'IN1000 Forelesning', '2026-10-06T06:15:00.000Z'],
      [ids[1], master.id, 'exception', 'IN1000 Forelesning (flyttet)', '2026-10-15T10:15:00.000Z'],
      [ids[2], master.id, 'occurrence', 'IN1000 Forelesning', '2026-10-20T06:15:00.000Z'],
      [ids[4], master.id, 'occurrence', 'IN1000 Forelesning', '2026-11-03T07:15:00.000Z'],
    ]);
    expect(seen[1]!.originalStartUtc).toBe('2026-10-13T06:15:00.000Z');
    expect(
      seen.every((o) => o.extendedProperties[KEY_PROP] === 'k-series' && o.location.displayName === 'Store auditorium'),
    ).toBe(true);
    expect(emu.graph.event(mb, ids[3]!)).toBeUndefined();
    expect(emu.graph.events(mb).map((e) => e.id)).toEqual([master.id]);
    const writes = emu.graph.stats().writes;
    expect([writes.create, writes.update, writes.delete]).toEqual([1, 1, 1]);
  });

  it("refuses to move an occurrence onto a neighbour's day, and recurrence on an instance", async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    const ids = (await instances(mb, master.id)).map((e) => e.id);
    const move = (id: string, day: string) =>
      client.api(eventsPath(mb, id)).patch({
        start: { dateTime: `${day}T08:15:00`, timeZone: 'W. Europe Standard Time' },
        end: { dateTime: `${day}T10:00:00`, timeZone: 'W. Europe Standard Time' },
      });

    const onNext = await failure(move(ids[1]!, '2026-10-20'));
    expect([onNext.statusCode, onNext.code, onNext.message]).toEqual([
      400,
      'ErrorOccurrenceCrossingBoundary',
      'Modified occurrence is crossing or overlapping adjacent occurrence.',
    ]);
    expect((await failure(move(ids[1]!, '2026-10-06'))).code).toBe('ErrorOccurrenceCrossingBoundary');
    // a cancelled neighbour still bounds the move
    await client.api(eventsPath(mb, ids[2])).delete();
    expect((await failure(move(ids[1]!, '2026-10-20'))).code).toBe('ErrorOccurrenceCrossingBoundary');
    // within the days between its neighbours it may go anywhere, even past the cancelled slot's week
    await move(ids[1]!, '2026-10-19');
    // and a moved neighbour bounds the next move where it now is
    expect((await failure(move(ids[0]!, '2026-10-19'))).code).toBe('ErrorOccurrenceCrossingBoundary');
    const refusedRecurrence = await failure(
      client.api(eventsPath(mb, ids[4])).patch({
        recurrence: {
          pattern: { type: 'daily', interval: 1 },
          range: { type: 'numbered', startDate: '2026-11-03', numberOfOccurrences: 2 },
        },
      }),
    );
    expect(refusedRecurrence.statusCode).toBe(400);
    // nothing of the refused requests was applied
    expect((await instances(mb, master.id)).map((e) => [e.type, wall(e)])).toEqual([
      ['occurrence', '2026-10-06T08:15-10:00'],
      ['exception', '2026-10-19T08:15-10:00'],
      ['occurrence', '2026-10-27T08:15-10:00'],
      ['occurrence', '2026-11-03T08:15-10:00'],
    ]);
    expect(emu.graph.stats().writes.update).toBe(1);
  });

  it('a master PATCH of content keeps the exceptions; a new recurrence drops them and the cancellations', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    const ids = (await instances(mb, master.id)).map((e) => e.id);
    await client.api(eventsPath(mb, ids[0])).patch({ subject: 'Første forelesning' });
    await client.api(eventsPath(mb, ids[4])).delete();

    await client
      .api(eventsPath(mb, master.id))
      .patch({ subject: 'IN1000 Forelesning (nytt navn)', location: { displayName: 'Sal 2' } });
    const renamed = await instances(mb, master.id);
    expect(renamed.map((e) => [e.type, e.subject])).toEqual([
      ['exception', 'Første forelesning'],
      ['occurrence', 'IN1000 Forelesning (nytt navn)'],
      ['occurrence', 'IN1000 Forelesning (nytt navn)'],
      ['occurrence', 'IN1000 Forelesning (nytt navn)'],
    ]);
    // the exception kept the master's location as it was when it was made
    expect(emu.graph.occurrences(mb).map((o) => o.location.displayName)).toEqual([
      'Store auditorium',
      'Sal 2',
      'Sal 2',
      'Sal 2',
    ]);

    // the same start, end and recurrence sent again is not a change
    const same = (await client.api(eventsPath(mb, master.id)).get()) as GraphEvent & { recurrence: unknown };
    await client
      .api(eventsPath(mb, master.id))
      .patch({ start: same.start, end: same.end, recurrence: same.recurrence });
    expect((await instances(mb, master.id)).map((e) => e.type)).toEqual([
      'exception',
      'occurrence',
      'occurrence',
      'occurrence',
    ]);

    await client.api(eventsPath(mb, master.id)).patch({
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
        range: {
          type: 'endDate',
          startDate: '2026-10-06',
          endDate: '2026-11-10',
          recurrenceTimeZone: 'W. Europe Standard Time',
        },
      },
    });
    const regenerated = await instances(mb, master.id);
    expect(regenerated.map((e) => [e.type, e.subject])).toEqual(
      Array.from({ length: 6 }, () => ['occurrence', 'IN1000 Forelesning (nytt navn)']),
    );
    expect(regenerated.slice(0, 5).map((e) => e.id)).toEqual(ids);

    await client.api(eventsPath(mb, master.id)).delete();
    expect((await failure(client.api(eventsPath(mb, ids[0])).get())).statusCode).toBe(404);
    expect(emu.graph.occurrences(mb)).toEqual([]);
  });

  it('pages /instances by $top and an absolute @odata.nextLink that keeps the window', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    let page = (await client
      .api(`${eventsPath(mb, master.id)}/instances`)
      .query(WINDOW)
      .top(2)
      .select('id,originalStart')
      .get()) as Page;
    const seen: string[] = [];
    let pages = 0;
    for (;;) {
      pages++;
      seen.push(...page.value.map((e) => e.originalStart!));
      const next = page['@odata.nextLink'];
      if (!next) break;
      expect(next.startsWith(emu.graphBaseUrl)).toBe(true);
      expect(next).toContain('startDateTime=');
      page = (await client.api(next).get()) as Page;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([
      '2026-10-06T06:15:00Z',
      '2026-10-13T06:15:00Z',
      '2026-10-20T06:15:00Z',
      '2026-10-27T07:15:00Z',
      '2026-11-03T07:15:00Z',
    ]);
  });

  it('runs instance PATCH, DELETE, /instances in $batch with dependsOn: counts writes, fails dependents', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    const ids = (await instances(mb, master.id)).map((e) => e.id);
    const json = { 'Content-Type': 'application/json' };
    const url = (id: string) => `/users/${mb}/events/${encodeURIComponent(id)}`;
    const batch = (await client.api('/$batch').post({
      requests: [
        { id: '1', method: 'PATCH', url: url(ids[2]!), headers: json, body: { subject: 'Gjesteforelesning' } },
        { id: '2', method: 'DELETE', url: url(ids[3]!), dependsOn: ['1'] },
        {
          id: '3',
          method: 'GET',
          url: `${url(master.id)}/instances?startDateTime=2026-10-01T00:00:00&endDateTime=2026-12-01T00:00:00`,
          // sub-requests do not inherit the batch's headers: each asks for immutable ids itself
          headers: { Prefer: 'IdType="ImmutableId"' },
          dependsOn: ['2'],
        },
      ],
    })) as {
      responses: { id: string; status: number; body?: { value?: GraphEvent[]; subject?: string; type?: string } }[];
    };
    const byId = new Map(batch.responses.map((r) => [r.id, r]));
    expect([byId.get('1')!.status, byId.get('2')!.status, byId.get('3')!.status]).toEqual([200, 204, 200]);
    expect([byId.get('1')!.body!.type, byId.get('1')!.body!.subject]).toEqual(['exception', 'Gjesteforelesning']);
    expect(byId.get('3')!.body!.value!.map((e) => [e.id, e.type])).toEqual([
      [ids[0], 'occurrence'],
      [ids[1], 'occurrence'],
      [ids[2], 'exception'],
      [ids[4], 'occurrence'],
    ]);

    // a refused move fails its dependants with 424 and leaves the series as it was
    const failed = (await client.api('/$batch').post({
      requests: [
        {
          id: 'a',
          method: 'PATCH',
          url: url(ids[0]!),
          headers: json,
          body: {
            start: { dateTime: '2026-10-13T09:00:00', timeZone: 'W. Europe Standard Time' },
            end: { dateTime: '2026-10-13T10:00:00', timeZone: 'W. Europe Standard Time' },
          },
        },
        { id: 'b', method: 'DELETE', url: url(ids[1]!), dependsOn: ['a'] },
      ],
    })) as { responses: { id: string; status: number; body?: { error?: { code: string } } }[] };
    const f = new Map(failed.responses.map((r) => [r.id, r]));
    expect([f.get('a')!.status, f.get('a')!.body!.error!.code, f.get('b')!.status]).toEqual([
      400,
      'ErrorOccurrenceCrossingBoundary',
      424,
    ]);
    expect(emu.graph.occurrences(mb).map((o) => o.id)).toEqual([ids[0], ids[1], ids[2], ids[4]]);

    const stats = emu.graph.stats();
    expect([stats.writes.update, stats.writes.delete]).toEqual([1, 1]);
    expect(stats.subRequests).toBe(5);
  });

  it('a person can move or delete one occurrence through the inspection API, over HTTP too', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    const ids = (await instances(mb, master.id)).map((e) => e.id);
    const moved = emu.graph.userEdit(mb, ids[1]!, {
      start: { dateTime: '2026-10-14T08:15:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-10-14T10:00:00', timeZone: 'W. Europe Standard Time' },
    });
    expect([moved.id, moved.type, moved.startUtc]).toEqual([ids[1], 'exception', '2026-10-14T06:15:00.000Z']);
    expect(() =>
      emu.graph.userEdit(mb, ids[2]!, {
        start: { dateTime: '2026-10-14T12:00:00', timeZone: 'W. Europe Standard Time' },
        end: { dateTime: '2026-10-14T13:00:00', timeZone: 'W. Europe Standard Time' },
      }),
    ).toThrow(/crossing or overlapping/);
    emu.graph.userDelete(mb, ids[2]!);
    const res = await fetch(`${emu.graph.origin}/_emulator/mailboxes/${encodeURIComponent(mb)}/occurrences`);
    const seen = (await res.json()) as { id: string; type: string; seriesMasterId: string }[];
    expect(seen.map((o) => [o.id, o.type, o.seriesMasterId])).toEqual([
      [ids[0], 'occurrence', master.id],
      [ids[1], 'exception', master.id],
      [ids[3], 'occurrence', master.id],
      [ids[4], 'occurrence', master.id],
    ]);
    // the person's changes are no writes of the app
    expect(emu.graph.stats().writes.update + emu.graph.stats().writes.delete).toBe(0);
  });

  it('instance writes go through fault injection like any event write', async () => {
    const mb = freshMailbox();
    const master = await createSeries(mb);
    const ids = (await instances(mb, master.id)).map((e) => e.id);
    // a 500 (which the client does not retry) leaves the occurrence in place
    emu.graph.failNext('500', 1, { method: 'DELETE' });
    const unavailable = await failure(client.api(eventsPath(mb, ids[0])).delete());
    expect(unavailable.statusCode).toBe(500);
    expect((await instances(mb, master.id)).map((e) => e.id)).toEqual(ids);
    await client.api(eventsPath(mb, ids[0])).delete();
    expect((await instances(mb, master.id)).map((e) => e.id)).toEqual(ids.slice(1));
    expect(emu.graph.stats().writes.delete).toBe(1);
  });
});
