import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HASH_PROP, KEY_PROP, OWNER_PROP, markerProperties } from '../../src/domain/markers';
import {
  startGraphEmulator,
  startMicrosoftEmulator,
  type GraphEmulator,
  type MicrosoftEmulator,
} from '../../testkit/graph/graphEmulator';

// The emulators speak HTTPS with a local CA that Node only trusts when told at start-up.
const CA = process.env.NODE_EXTRA_CA_CERTS;
if (!CA || !fs.existsSync(CA)) {
  throw new Error(
    'NODE_EXTRA_CA_CERTS must point at the emulator CA before the test process starts. Run: ' +
      'npx tsx testkit/graph/certs.ts .tmp/certs && NODE_EXTRA_CA_CERTS=$PWD/.tmp/certs/ca.pem npx vitest run ' +
      'test/emulators (or npm test)',
  );
}

type Answer = { status: number; headers: Headers; body: any };

const sleepThen = <T>(ms: number, f: () => Promise<T>) => new Promise((r) => setTimeout(r, ms)).then(f);

let emu: MicrosoftEmulator;
let token: string;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  bearer = token,
): Promise<Answer> {
  const res = await fetch(`${emu.graphBaseUrl}${path}`, {
    method,
    headers: {
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      // as kada asks (graph.md), so answers carry the ids inspection shows
      Prefer: 'IdType="ImmutableId"',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

function eventBody(key: string, extra: Record<string, unknown> = {}) {
  return {
    subject: `IN1000 Forelesning ${key}`,
    start: { dateTime: '2026-08-27T14:15:00', timeZone: 'W. Europe Standard Time' },
    end: { dateTime: '2026-08-27T16:00:00', timeZone: 'W. Europe Standard Time' },
    showAs: 'busy',
    isReminderOn: false,
    categories: ['Undervisning'],
    body: { contentType: 'html', content: '<p>Forelesning</p>' },
    location: { displayName: 'Store auditorium, Ole-Johan Dahls hus' },
    singleValueExtendedProperties: markerProperties('uio', key, `hash-${key}`),
    ...extra,
  };
}

let mailboxCounter = 0;
const freshMailbox = () => `student${++mailboxCounter}@uio.no`;

beforeAll(async () => {
  emu = await startMicrosoftEmulator({ retryAfterSeconds: 2 });
  const res = await fetch(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: emu.clientId,
      client_secret: emu.clientSecret!,
      scope: `${emu.graph.origin}/.default`,
    }),
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => {
  emu.graph.clearFaults();
  emu.graph.setLatency(0, 0);
  emu.graph.resetStats();
});

describe('graph emulator: authentication', () => {
  it('answers 401 without a token and with a token it did not issue', async () => {
    const none = await call('GET', '/users/a@uio.no/events', undefined, {}, '');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('InvalidAuthenticationToken');
    const forged = await call(
      'GET',
      '/users/a@uio.no/events',
      undefined,
      {},
      'eyJhbGciOiJub25lIn0.eyJhcHBpZCI6IngifQ.',
    );
    expect(forged.status).toBe(401);
  });

  it('rejects tokens after they expire', async () => {
    const res = await fetch(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: emu.clientId,
        client_secret: emu.clientSecret!,
        scope: `${emu.graph.origin}/.default`,
      }),
    });
    const own = ((await res.json()) as { access_token: string }).access_token;
    expect((await call('GET', '/users/a@uio.no/events', undefined, {}, own)).status).toBe(200);
    emu.token.expireTokens();
    const after = await call('GET', '/users/a@uio.no/events', undefined, {}, own);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/expired/);
    // the suite's own token was issued earlier and is expired too: get a new one
    const again = await fetch(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: emu.clientId,
        client_secret: emu.clientSecret!,
        scope: `${emu.graph.origin}/.default`,
      }),
    });
    token = ((await again.json()) as { access_token: string }).access_token;
    expect((await call('GET', '/users/a@uio.no/events')).status).toBe(200);
  });
});

describe('graph emulator: events', () => {
  it('takes only the time zones Graph documents: Windows names and the short IANA list, not Europe/Oslo', async () => {
    // Microsoft Graph v1.0 resources/datetimetimezone.md; Exchange's answer is 400 TimeZoneNotSupportedException.
    const mb = freshMailbox();
    const at = (timeZone: string) => ({
      start: { dateTime: '2026-08-27T14:15:00', timeZone },
      end: { dateTime: '2026-08-27T16:00:00', timeZone },
    });
    const oslo = await call('POST', `/users/${mb}/events`, eventBody('oslo', at('Europe/Oslo')));
    expect(oslo.status).toBe(400);
    expect(oslo.body.error.code).toBe('TimeZoneNotSupportedException');
    const lower = await call('POST', `/users/${mb}/events`, eventBody('lower', at('w. europe standard time')));
    expect(lower.body.error.code).toBe('TimeZoneNotSupportedException');
    const windows = await call('POST', `/users/${mb}/events`, eventBody('windows', at('W. Europe Standard Time')));
    expect(windows.status).toBe(201);
    expect(windows.body.originalStartTimeZone).toBe('W. Europe Standard Time');
    const berlin = await call('POST', `/users/${mb}/events`, eventBody('berlin', at('Europe/Berlin')));
    expect(berlin.status).toBe(201);
    const patch = await call('PATCH', `/users/${mb}/events/${encodeURIComponent(windows.body.id)}`, at('Europe/Oslo'));
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe('TimeZoneNotSupportedException');
    const recurrence = {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['thursday'], firstDayOfWeek: 'monday' },
      range: { type: 'endDate', startDate: '2026-08-27', endDate: '2026-09-24', recurrenceTimeZone: 'Europe/Oslo' },
    };
    const series = await call('POST', `/users/${mb}/events`, eventBody('series', { recurrence }));
    expect(series.body.error.code).toBe('TimeZoneNotSupportedException');
    expect(emu.graph.events(mb).map((e) => e.startUtc)).toEqual([
      '2026-08-27T12:15:00.000Z',
      '2026-08-27T12:15:00.000Z',
    ]);
    // A Prefer zone Graph does not know is ignored: the answer is in UTC.
    const read = await call('GET', `/users/${mb}/events/${encodeURIComponent(windows.body.id)}`, undefined, {
      Prefer: 'outlook.timezone="Europe/Oslo"',
    });
    expect(read.body.start).toEqual({ dateTime: '2026-08-27T12:15:00.0000000', timeZone: 'UTC' });
    expect(read.headers.get('preference-applied')).toBeNull();
  });

  it('stores instants and answers in UTC unless Prefer: outlook.timezone asks otherwise', async () => {
    const mb = freshMailbox();
    const created = await call('POST', `/users/${mb}/events`, eventBody('k1'));
    expect(created.status).toBe(201);
    expect(created.body.start).toEqual({ dateTime: '2026-08-27T12:15:00.0000000', timeZone: 'UTC' });
    const oslo = await call('GET', `/users/${mb}/events/${encodeURIComponent(created.body.id)}`, undefined, {
      Prefer: 'outlook.timezone="W. Europe Standard Time"',
    });
    expect(oslo.body.start).toEqual({ dateTime: '2026-08-27T14:15:00.0000000', timeZone: 'W. Europe Standard Time' });
    expect(oslo.headers.get('preference-applied')).toBe('outlook.timezone="W. Europe Standard Time"');
    const windows = await call('GET', `/users/${mb}/events/${encodeURIComponent(created.body.id)}`, undefined, {
      Prefer: 'outlook.timezone="Pacific Standard Time"',
    });
    expect(windows.body.end).toEqual({ dateTime: '2026-08-27T07:00:00.0000000', timeZone: 'Pacific Standard Time' });
    const [stored] = emu.graph.events(mb);
    expect(stored!.startUtc).toBe('2026-08-27T12:15:00.000Z');
    expect(stored!.endUtc).toBe('2026-08-27T14:00:00.000Z');
    expect(stored!.extendedProperties[KEY_PROP]).toBe('k1');
  });

  it('returns extended properties only through $expand, filtered as asked', async () => {
    const mb = freshMailbox();
    const created = await call('POST', `/users/${mb}/events`, eventBody('k2'));
    const id = encodeURIComponent(created.body.id);
    expect(created.body.singleValueExtendedProperties).toBeUndefined();
    const plain = await call('GET', `/users/${mb}/events/${id}`);
    expect(plain.body.singleValueExtendedProperties).toBeUndefined();
    const expand = encodeURIComponent(
      `singleValueExtendedProperties($filter=id eq '${KEY_PROP}' or id eq '${HASH_PROP}')`,
    );
    const expanded = await call('GET', `/users/${mb}/events/${id}?$expand=${expand}`);
    const props = Object.fromEntries(
      expanded.body.singleValueExtendedProperties.map((p: { id: string; value: string }) => [p.id, p.value]),
    );
    expect(props).toEqual({ [KEY_PROP]: 'k2', [HASH_PROP]: 'hash-k2' });
  });

  it('filters on the owner marker and pages at 10 by default with absolute nextLinks', async () => {
    const mb = freshMailbox();
    for (let i = 0; i < 12; i++)
      expect((await call('POST', `/users/${mb}/events`, eventBody(`p${i}`))).status).toBe(201);
    emu.graph.addUserEvent(mb, { subject: 'Tannlege' });
    const theirs = emu.graph.addUserEvent(mb, {
      subject: 'Other kada',
      singleValueExtendedProperties: [{ id: OWNER_PROP, value: 'uib' }],
    });
    const filter = encodeURIComponent(
      `singleValueExtendedProperties/Any(ep: ep/id eq '${OWNER_PROP}' and ep/value eq 'uio')`,
    );
    const first = await call('GET', `/users/${mb}/events?$filter=${filter}`);
    expect(first.body.value).toHaveLength(10);
    const next: string = first.body['@odata.nextLink'];
    expect(next.startsWith(`${emu.graphBaseUrl}/users/`)).toBe(true);
    const second = await fetch(next, { headers: { Authorization: `Bearer ${token}` } }).then(
      (r) => r.json() as Promise<any>,
    );
    expect(second.value).toHaveLength(2);
    expect(second['@odata.nextLink']).toBeUndefined();
    const subjects = [...first.body.value, ...second.value].map((e: { subject: string }) => e.subject);
    expect(subjects).not.toContain('Tannlege');
    expect(subjects).not.toContain(theirs.subject);
    const all = await call('GET', `/users/${mb}/events?$top=50&$select=subject`);
    expect(all.body.value).toHaveLength(14);
    expect(Object.keys(all.body.value[0]).sort()).toEqual(['@odata.etag', 'id', 'subject']);
  });

  it('rejects properties the event type does not define and enum literals it does not know', async () => {
    const mb = freshMailbox();
    const unknown = await call('POST', `/users/${mb}/events`, eventBody('x', { reminder: 15 }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('RequestBodyRead');
    expect(unknown.body.error.message).toContain(
      "The property 'reminder' does not exist on type 'microsoft.graph.event'",
    );
    const nested = await call(
      'POST',
      `/users/${mb}/events`,
      eventBody('x', { location: { displayName: 'A', room: 'B' } }),
    );
    expect(nested.status).toBe(400);
    expect(nested.body.error.message).toContain("'microsoft.graph.location'");
    const showAs = await call('POST', `/users/${mb}/events`, eventBody('x', { showAs: 'available' }));
    expect(showAs.status).toBe(400);
    expect(showAs.body.error.message).toContain('microsoft.graph.freeBusyStatus');
    const contentType = await call(
      'POST',
      `/users/${mb}/events`,
      eventBody('x', { body: { contentType: 'markdown', content: 'x' } }),
    );
    expect(contentType.status).toBe(400);
    const beta = await call('POST', `/users/${mb}/events`, eventBody('x', { cancelledOccurrences: [] }));
    expect(beta.status).toBe(400);
    const zone = await call(
      'POST',
      `/users/${mb}/events`,
      eventBody('x', { start: { dateTime: '2026-08-27T14:15:00', timeZone: 'Mars/Olympus' } }),
    );
    expect(zone.status).toBe(400);
    expect(zone.body.error.code).toBe('TimeZoneNotSupportedException');
    const backwards = await call(
      'POST',
      `/users/${mb}/events`,
      eventBody('x', { end: { dateTime: '2026-08-27T13:00:00', timeZone: 'W. Europe Standard Time' } }),
    );
    expect(backwards.status).toBe(400);
    const patch = await call('POST', `/users/${mb}/events`, eventBody('ok'));
    const badPatch = await call('PATCH', `/users/${mb}/events/${encodeURIComponent(patch.body.id)}`, {
      sensitivity: 'secret',
    });
    expect(badPatch.status).toBe(400);
    expect(emu.graph.events(mb)).toHaveLength(1);
    expect(emu.graph.events(mb)[0]!.graph.sensitivity).toBe('normal');
  });

  it('validates recurrence pattern and range against the metadata, and stores a series master', async () => {
    const mb = freshMailbox();
    const recurrence = {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['thursday'], firstDayOfWeek: 'monday' },
      range: {
        type: 'endDate',
        startDate: '2026-08-27',
        endDate: '2026-11-26',
        recurrenceTimeZone: 'W. Europe Standard Time',
      },
    };
    const ok = await call('POST', `/users/${mb}/events`, eventBody('series', { recurrence }));
    expect(ok.status).toBe(201);
    expect(ok.body.type).toBe('seriesMaster');
    expect(ok.body.recurrence.pattern.daysOfWeek).toEqual(['thursday']);
    const badDay = await call(
      'POST',
      `/users/${mb}/events`,
      eventBody('s2', { recurrence: { ...recurrence, pattern: { ...recurrence.pattern, daysOfWeek: ['thorsdag'] } } }),
    );
    expect(badDay.status).toBe(400);
    const extra = await call(
      'POST',
      `/users/${mb}/events`,
      eventBody('s3', { recurrence: { ...recurrence, range: { ...recurrence.range, until: '2026-12-01' } } }),
    );
    expect(extra.status).toBe(400);
    const noDays = await call(
      'POST',
      `/users/${mb}/events`,
      eventBody('s4', { recurrence: { ...recurrence, pattern: { type: 'weekly', interval: 1 } } }),
    );
    expect(noDays.status).toBe(400);
  });

  it('de-duplicates creates with the same transactionId per mailbox', async () => {
    const mb = freshMailbox();
    const first = await call('POST', `/users/${mb}/events`, eventBody('t1', { transactionId: 'tx-t1' }));
    const second = await call('POST', `/users/${mb}/events`, eventBody('t1', { transactionId: 'tx-t1' }));
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.transactionId).toBe('tx-t1');
    expect(emu.graph.events(mb)).toHaveLength(1);
    expect(emu.graph.stats().writes).toMatchObject({ create: 1, createDeduplicated: 1 });
    const other = freshMailbox();
    await call('POST', `/users/${other}/events`, eventBody('t1', { transactionId: 'tx-t1' }));
    expect(emu.graph.events(other)).toHaveLength(1);
  });

  it('503 after create leaves exactly one event once the create is retried with its transactionId', async () => {
    const mb = freshMailbox();
    emu.graph.failNext('503AfterCreate', 1);
    const failed = await call('POST', `/users/${mb}/events`, eventBody('r1', { transactionId: 'tx-r1' }));
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('2');
    expect(emu.graph.events(mb)).toHaveLength(1);
    const retried = await call('POST', `/users/${mb}/events`, eventBody('r1', { transactionId: 'tx-r1' }));
    expect(retried.status).toBe(201);
    expect(emu.graph.events(mb)).toHaveLength(1);
    expect(retried.body.id).toBe(emu.graph.events(mb)[0]!.id);
  });

  it('a create that times out after creating, retried with its transactionId, still leaves one event', async () => {
    const mb = freshMailbox();
    emu.graph.setFaults({ hangMs: 50 });
    emu.graph.failNext('timeoutAfterCreate', 1);
    expect((await call('POST', `/users/${mb}/events`, eventBody('to', { transactionId: 'tx-to' }))).status).toBe(504);
    expect((await call('POST', `/users/${mb}/events`, eventBody('to', { transactionId: 'tx-to' }))).status).toBe(201);
    expect(emu.graph.events(mb)).toHaveLength(1);
  });

  it('a transactionId answers for its event only while the event exists', async () => {
    const mb = freshMailbox();
    const first = await call('POST', `/users/${mb}/events`, eventBody('gone', { transactionId: 'tx-gone' }));
    emu.graph.userDelete(mb, first.body.id);
    const again = await call('POST', `/users/${mb}/events`, eventBody('gone', { transactionId: 'tx-gone' }));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
    expect(emu.graph.events(mb).map((e) => e.id)).toEqual([again.body.id]);
    const changeTx = await call('PATCH', `/users/${mb}/events/${encodeURIComponent(again.body.id)}`, {
      transactionId: 'other',
    });
    expect(changeTx.status).toBe(400);
  });

  it('PATCH merges extended properties and keeps the others', async () => {
    const mb = freshMailbox();
    const created = await call('POST', `/users/${mb}/events`, eventBody('m1'));
    const patched = await call('PATCH', `/users/${mb}/events/${encodeURIComponent(created.body.id)}`, {
      // the same property spelt with another case for the type and property-set GUID
      singleValueExtendedProperties: [
        { id: 'string {5B8C4F3E-2A71-4D0E-9C6B-1F2E3D4C5B6A} Name kadaHash', value: 'new-hash' },
      ],
    });
    expect(patched.status).toBe(200);
    expect(emu.graph.events(mb)[0]!.extendedProperties).toMatchObject({ [OWNER_PROP]: 'uio', [KEY_PROP]: 'm1' });
    expect(Object.values(emu.graph.events(mb)[0]!.extendedProperties)).toContain('new-hash');
    expect(Object.keys(emu.graph.events(mb)[0]!.extendedProperties)).toHaveLength(3);
    const invalid = await call('PATCH', `/users/${mb}/events/${encodeURIComponent(created.body.id)}`, {
      singleValueExtendedProperties: [{ id: 'kadaHash', value: 'x' }],
    });
    expect(invalid.status).toBe(400);
  });

  it('updates and deletes, 404 for an event that is gone, and lists the default calendar only', async () => {
    const mb = freshMailbox();
    const created = await call('POST', `/users/${mb}/events`, eventBody('u1'));
    const id = encodeURIComponent(created.body.id);
    const patched = await call('PATCH', `/users/${mb}/events/${id}`, { subject: 'AVLYST: IN1000', showAs: 'free' });
    expect(patched.status).toBe(200);
    expect(patched.body.subject).toBe('AVLYST: IN1000');
    expect(patched.body.changeKey).not.toBe(created.body.changeKey);
    const cal = await call('POST', `/users/${mb}/calendars`, { name: 'Timeplan' });
    expect(cal.status).toBe(201);
    expect((await call('POST', `/users/${mb}/calendars`, { name: 'timeplan' })).status).toBe(409);
    await call('POST', `/users/${mb}/calendars/${encodeURIComponent(cal.body.id)}/events`, eventBody('in-cal'));
    const defaultList = await call('GET', `/users/${mb}/events`);
    expect(defaultList.body.value.map((e: { subject: string }) => e.subject)).toEqual(['AVLYST: IN1000']);
    const calList = await call('GET', `/users/${mb}/calendars/${encodeURIComponent(cal.body.id)}/events`);
    expect(calList.body.value).toHaveLength(1);
    expect((await call('DELETE', `/users/${mb}/events/${id}`)).status).toBe(204);
    const gone = await call('GET', `/users/${mb}/events/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ErrorItemNotFound');
    expect(emu.graph.stats().writes).toMatchObject({ create: 2, update: 1, delete: 1, calendarCreate: 1 });
  });

  it('master categories: create, list, 409 on a duplicate displayName, 400 on an unknown colour', async () => {
    const mb = freshMailbox();
    const created = await call('POST', `/users/${mb}/outlook/masterCategories`, {
      displayName: 'Undervisning',
      color: 'preset7',
    });
    expect(created.status).toBe(201);
    expect(
      (await call('POST', `/users/${mb}/outlook/masterCategories`, { displayName: 'undervisning', color: 'preset1' }))
        .status,
    ).toBe(409);
    expect(
      (await call('POST', `/users/${mb}/outlook/masterCategories`, { displayName: 'Annet', color: 'purple' })).status,
    ).toBe(400);
    const list = await call('GET', `/users/${mb}/outlook/masterCategories`);
    expect(list.body.value).toEqual([{ id: created.body.id, displayName: 'Undervisning', color: 'preset7' }]);
  });

  it('inspection API: user events, edits, deletes and duplicates', async () => {
    const mb = freshMailbox();
    const created = await call('POST', `/users/${mb}/events`, eventBody('i1'));
    const mine = emu.graph.addUserEvent(mb, { subject: 'Trening' });
    expect(mine.createdBy).toBe('user');
    expect(mine.extendedProperties).toEqual({});
    const edited = emu.graph.userEdit(mb, created.body.id, { subject: 'changed by the user' });
    expect(edited.subject).toBe('changed by the user');
    const dup = emu.graph.duplicateEvent(mb, created.body.id);
    expect(dup.id).not.toBe(created.body.id);
    expect(dup.extendedProperties).toEqual(emu.graph.event(mb, created.body.id)!.extendedProperties);
    emu.graph.userDelete(mb, created.body.id);
    expect(
      emu.graph
        .events(mb)
        .map((e) => e.id)
        .sort(),
    ).toEqual([mine.id, dup.id].sort());
  });
});

describe('graph emulator: throttling and $batch', () => {
  it('allows 4 concurrent requests per app and answers the rest 429 with Retry-After', async () => {
    const mb = freshMailbox();
    emu.graph.setLatency(1500);
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('GET', `/users/${mb}/events`)));
    const throttled = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    expect(throttled).toHaveLength(4);
    for (const t of throttled) {
      expect(t.headers.get('retry-after')).toBe('2');
      expect(t.body.error.code).toBe('ApplicationThrottled');
    }
    const s = emu.graph.stats();
    expect(s.maxConcurrency).toBe(4);
    expect(s.throttled).toBe(4);
    expect(s.concurrencyRejections).toBe(4);
  });

  it('counts batch sub-requests one by one: a parallel batch of 6 gets 429s inside a 200', async () => {
    const mb = freshMailbox();
    emu.graph.setLatency(1500);
    const requests = Array.from({ length: 6 }, (_, i) => ({
      id: String(i + 1),
      method: 'GET',
      url: `/users/${mb}/events`,
    }));
    const batch = await call('POST', '/$batch', { requests });
    expect(batch.status).toBe(200);
    const statuses = batch.body.responses.map((r: { status: number }) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const throttled = batch.body.responses.find((r: { status: number }) => r.status === 429);
    expect(throttled.headers['Retry-After']).toBe('2');
    expect(emu.graph.stats()).toMatchObject({ batches: 1, subRequests: 6, maxConcurrency: 4 });
  });

  it('per-mailbox reading: 4 in flight per mailbox, an overall cap beyond, peaks recorded', async () => {
    const [a, b, c] = [freshMailbox(), freshMailbox(), freshMailbox()];
    emu.graph.setLatency(1500);
    emu.graph.setConcurrencyLimit(6, 4);
    try {
      // 5 at once into one mailbox: the 5th is over the mailbox's 4, though the app is under its cap of 6.
      const one = await Promise.all(Array.from({ length: 5 }, () => call('GET', `/users/${a}/events`)));
      expect(one.map((x) => x.status).sort()).toEqual([200, 200, 200, 200, 429]);
      const over = one.find((x) => x.status === 429)!;
      expect(over.headers.get('retry-after')).toBe('2');
      expect(over.body.error.message).toBe('Application is over its MailboxConcurrency limit.');
      expect(emu.graph.stats()).toMatchObject({ maxConcurrency: 4, maxMailboxConcurrency: 4 });
      // 3 + 3 + 1 across three mailboxes: each mailbox is under 4, the 7th is over the app's cap of 6.
      emu.graph.resetStats();
      const spread = await Promise.all(
        [a, a, a, b, b, b, c].map((mb, i) => sleepThen(i === 6 ? 300 : 0, () => call('GET', `/users/${mb}/events`))),
      );
      expect(spread.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 200, 429]);
      const s = emu.graph.stats();
      expect(s).toMatchObject({ maxConcurrency: 6, maxMailboxConcurrency: 3, concurrencyRejections: 1 });
      expect(s.maxConcurrencyByMailbox).toEqual({ [a]: 3, [b]: 3 });
      // A parallel batch counts its sub-requests against the mailbox one by one.
      emu.graph.resetStats();
      const requests = Array.from({ length: 5 }, (_, i) => ({
        id: String(i + 1),
        method: 'GET',
        url: `/users/${c}/events`,
      }));
      const batch = await call('POST', '/$batch', { requests });
      expect(batch.body.responses.map((r: { status: number }) => r.status).sort()).toEqual([200, 200, 200, 200, 429]);
      expect(emu.graph.stats().maxConcurrencyByMailbox).toEqual({ [c]: 4 });
    } finally {
      emu.graph.setConcurrencyLimit(4, null);
    }
  });

  it('rejects a batch of more than 20 requests, mixed dependency shapes, and bodies without Content-Type', async () => {
    const mb = freshMailbox();
    const many = Array.from({ length: 21 }, (_, i) => ({
      id: String(i + 1),
      method: 'GET',
      url: `/users/${mb}/events`,
    }));
    const tooMany = await call('POST', '/$batch', { requests: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/limit of 20/);
    const mixed = await call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'GET', url: `/users/${mb}/events` },
        { id: '2', method: 'GET', url: `/users/${mb}/events`, dependsOn: ['1'] },
        { id: '3', method: 'GET', url: `/users/${mb}/events`, dependsOn: ['2'] },
        { id: '4', method: 'GET', url: `/users/${mb}/events` },
      ],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.message).toMatch(/fully sequential or fully parallel/);
    const noType = await call('POST', '/$batch', {
      requests: [{ id: '1', method: 'POST', url: `/users/${mb}/events`, body: eventBody('b') }],
    });
    expect(noType.status).toBe(400);
    expect(noType.body.error.message).toMatch(/Content-Type/);
    const absolute = await call('POST', '/$batch', {
      requests: [{ id: '1', method: 'GET', url: `${emu.graphBaseUrl}/users/${mb}/events` }],
    });
    expect(absolute.status).toBe(400);
    expect(emu.graph.events(mb)).toHaveLength(0);
  });

  it('runs a dependsOn chain in order and answers 424 for everything after a failure', async () => {
    const mb = freshMailbox();
    const json = { 'Content-Type': 'application/json' };
    const batch = await call('POST', '/$batch', {
      requests: [
        {
          id: 'a',
          method: 'POST',
          url: `/users/${mb}/events`,
          headers: json,
          body: eventBody('c1', { transactionId: 'tx-c1' }),
        },
        {
          id: 'b',
          method: 'PATCH',
          url: `/users/${mb}/events/AAMkDoesNotExist`,
          headers: json,
          body: { subject: 'x' },
          dependsOn: ['a'],
        },
        { id: 'c', method: 'POST', url: `/users/${mb}/events`, headers: json, body: eventBody('c2'), dependsOn: ['b'] },
        { id: 'd', method: 'DELETE', url: `/users/${mb}/events/whatever`, dependsOn: ['c'] },
      ],
    });
    expect(batch.status).toBe(200);
    const byId = Object.fromEntries(batch.body.responses.map((r: { id: string; status: number }) => [r.id, r.status]));
    expect(byId).toEqual({ a: 201, b: 404, c: 424, d: 424 });
    expect(emu.graph.events(mb).map((e) => e.extendedProperties[KEY_PROP])).toEqual(['c1']);
  });

  it('a 503 after create inside a batch still leaves one event after the retry', async () => {
    const mb = freshMailbox();
    const json = { 'Content-Type': 'application/json' };
    const requests = [
      {
        id: '1',
        method: 'POST',
        url: `/users/${mb}/events`,
        headers: json,
        body: eventBody('bb', { transactionId: 'tx-bb' }),
      },
    ];
    emu.graph.failNext('503AfterCreate', 1);
    const first = await call('POST', '/$batch', { requests });
    expect(first.body.responses[0].status).toBe(503);
    const second = await call('POST', '/$batch', { requests });
    expect(second.body.responses[0].status).toBe(201);
    expect(emu.graph.events(mb)).toHaveLength(1);
  });

  it('injects faults by rate, and a timeout hangs before answering 504', async () => {
    const mb = freshMailbox();
    emu.graph.setFaults({ rate503: 1 });
    const a = await call('GET', `/users/${mb}/events`);
    expect(a.status).toBe(503);
    emu.graph.setFaults({ hangMs: 50 });
    emu.graph.failNext('timeout', 1, { method: 'GET' });
    expect((await call('GET', `/users/${mb}/events`)).status).toBe(504);
    expect((await call('GET', `/users/${mb}/events`)).status).toBe(200);
    expect(emu.graph.stats().faults).toMatchObject({ '503': 1, timeout: 1 });
  });
});

describe('graph emulator: mailboxes and quotas', () => {
  let strict: GraphEmulator;
  beforeAll(async () => {
    strict = await startGraphEmulator({
      autoCreateMailboxes: false,
      mailboxRequestLimit: { requests: 3, windowMs: 60_000 },
    });
  });
  afterAll(async () => {
    await strict?.close();
  });
  const get = (path: string) =>
    fetch(`${strict.baseUrl}${path}`, { headers: { Authorization: 'Bearer any' } }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as any,
    }));

  it('answers 404 for unknown users and users without a mailbox', async () => {
    const unknown = await get('/users/nobody@uio.no/events');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ErrorInvalidUser');
    strict.addMailbox('onprem@uio.no', { state: 'noMailbox' });
    const onprem = await get('/users/onprem@uio.no/events');
    expect(onprem.status).toBe(404);
    expect(onprem.body.error.code).toBe('MailboxNotEnabledForRESTAPI');
  });

  it('throttles an app that exceeds its per-mailbox request quota', async () => {
    strict.addMailbox('busy@uio.no');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/users/busy@uio.no/events')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
