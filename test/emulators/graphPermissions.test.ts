import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerProperties } from '../../src/domain/markers';
import { startMicrosoftEmulator, type MicrosoftEmulator } from '../../testkit/graph/graphEmulator';

/**
 * What the Graph emulator does beyond kada's own expectations, per Microsoft's documents: the token's
 * application permissions (permissions-reference and each API page), immutable vs default ids
 * (concepts/outlook-immutable-id), DELETE into Deleted Items vs permanentDelete (event-delete,
 * event-permanentdelete).
 */
const CA = process.env.NODE_EXTRA_CA_CERTS;
if (!CA || !fs.existsSync(CA)) throw new Error('NODE_EXTRA_CA_CERTS must point at the emulator CA (see README)');

type Answer = { status: number; body: any };
const IMMUTABLE = 'IdType="ImmutableId"';

async function tokenFor(emu: MicrosoftEmulator, clientId = emu.clientId, secret = emu.clientSecret!) {
  const res = await fetch(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: `${emu.graph.origin}/.default`,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

function caller(emu: MicrosoftEmulator, token: string) {
  return async (method: string, path: string, body?: unknown, prefer?: string): Promise<Answer> => {
    const res = await fetch(`${emu.graphBaseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(prefer ? { Prefer: prefer } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

const eventBody = (key: string) => ({
  subject: `IN1000 ${key}`,
  start: { dateTime: '2026-08-27T14:15:00', timeZone: 'W. Europe Standard Time' },
  end: { dateTime: '2026-08-27T16:00:00', timeZone: 'W. Europe Standard Time' },
  categories: ['Undervisning'],
  singleValueExtendedProperties: markerProperties('uio', key, `hash-${key}`),
});

const DENIED = { code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' };

describe('graph emulator: application permissions in the token', () => {
  let emu: MicrosoftEmulator;
  beforeAll(async () => {
    emu = await startMicrosoftEmulator({
      roles: ['Calendars.ReadWrite'],
      extraClients: [
        { clientId: 'reader', clientSecret: 'reader-secret', roles: ['Calendars.Read', 'MailboxSettings.Read'] },
        { clientId: 'both', clientSecret: 'both-secret', roles: ['Calendars.ReadWrite', 'MailboxSettings.ReadWrite'] },
      ],
    });
  });
  afterAll(async () => emu?.close());

  it('issues the granted application permissions as the roles claim', async () => {
    expect(claims(await tokenFor(emu)).roles).toEqual(['Calendars.ReadWrite']);
    expect(claims(await tokenFor(emu, 'reader', 'reader-secret')).roles).toEqual([
      'Calendars.Read',
      'MailboxSettings.Read',
    ]);
  });

  it('Calendars.ReadWrite alone: events work, master categories answer 403 ErrorAccessDenied', async () => {
    const call = caller(emu, await tokenFor(emu));
    const mb = '/users/only-calendars@uio.no';
    expect((await call('POST', `${mb}/events`, eventBody('a'))).status).toBe(201);
    expect((await call('GET', `${mb}/events`)).status).toBe(200);
    expect((await call('GET', `${mb}/calendars`)).status).toBe(200);
    const list = await call('GET', `${mb}/outlook/masterCategories`);
    expect(list).toEqual({ status: 403, body: { error: expect.objectContaining(DENIED) } });
    const create = await call('POST', `${mb}/outlook/masterCategories`, { displayName: 'Undervisning' });
    expect(create.status).toBe(403);
  });

  it('checks every $batch sub-request against the token too', async () => {
    const call = caller(emu, await tokenFor(emu));
    const json = { 'Content-Type': 'application/json' };
    const r = await call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'POST', url: '/users/b@uio.no/events', headers: json, body: eventBody('b') },
        { id: '2', method: 'GET', url: '/users/b@uio.no/outlook/masterCategories' },
      ],
    });
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string }) => [x.id, x]));
    expect(byId['1'].status).toBe(201);
    expect(byId['2']).toMatchObject({ status: 403, body: { error: DENIED } });
  });

  it('read permissions read but do not write; MailboxSettings.ReadWrite creates the category', async () => {
    const reader = caller(emu, await tokenFor(emu, 'reader', 'reader-secret'));
    const mb = '/users/reader@uio.no';
    expect((await reader('GET', `${mb}/events`)).status).toBe(200);
    expect((await reader('GET', `${mb}/outlook/masterCategories`)).status).toBe(200);
    expect((await reader('POST', `${mb}/events`, eventBody('c'))).status).toBe(403);
    expect((await reader('POST', `${mb}/outlook/masterCategories`, { displayName: 'Undervisning' })).status).toBe(403);
    const both = caller(emu, await tokenFor(emu, 'both', 'both-secret'));
    const made = await both('POST', `${mb}/outlook/masterCategories`, {
      displayName: 'Undervisning',
      color: 'preset7',
    });
    expect(made.status).toBe(201);
  });
});

describe('graph emulator: immutable ids, Deleted Items and permanentDelete', () => {
  let emu: MicrosoftEmulator;
  let call: ReturnType<typeof caller>;
  beforeAll(async () => {
    emu = await startMicrosoftEmulator();
    call = caller(emu, await tokenFor(emu));
  });
  afterAll(async () => emu?.close());

  it('gives default ids unless the request asks for immutable ones; the two look different', async () => {
    const mb = 'ids@uio.no';
    const plain = await call('POST', `/users/${mb}/events`, eventBody('p'));
    const asked = await call('POST', `/users/${mb}/events`, eventBody('i'), IMMUTABLE);
    expect(plain.body.id).toMatch(/^AAMkAG/);
    expect(asked.body.id).toMatch(/^AAkALg/);
    // both kinds of id address the event; the answer shows the kind the request asked for
    const byImmutable = await call('GET', `/users/${mb}/events/${plain.body.id}`, undefined, IMMUTABLE);
    expect(byImmutable.body.id).toBe(emu.graph.event(mb, plain.body.id)!.id);
    expect((await call('GET', `/users/${mb}/events/${asked.body.id}`)).body.id).toMatch(/^AAMkAG/);
  });

  it('a move between calendars changes the default id, not the immutable one', async () => {
    const mb = 'mover@uio.no';
    const made = await call('POST', `/users/${mb}/events`, eventBody('m'));
    const immutable = emu.graph.event(mb, made.body.id)!.id;
    const other = await call('POST', `/users/${mb}/calendars`, { name: 'Other' });
    emu.graph.moveEvent(mb, immutable, other.body.id);
    expect((await call('GET', `/users/${mb}/events/${made.body.id}`)).status).toBe(404);
    const again = await call('GET', `/users/${mb}/events/${immutable}`, undefined, IMMUTABLE);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(immutable);
  });

  it('DELETE moves the event to Deleted Items (new default id); a restore brings it back', async () => {
    const mb = 'soft@uio.no';
    const made = await call('POST', `/users/${mb}/events`, eventBody('s'), IMMUTABLE);
    const before = emu.graph.event(mb, made.body.id)!;
    expect((await call('DELETE', `/users/${mb}/events/${made.body.id}`)).status).toBe(204);
    expect((await call('GET', `/users/${mb}/events`)).body.value).toEqual([]);
    expect((await call('GET', `/users/${mb}/events/${made.body.id}`)).status).toBe(404);
    const [deleted] = emu.graph.deletedItems(mb);
    expect(deleted).toMatchObject({ id: before.id, subject: 'IN1000 s' });
    expect(deleted!.mutableId).not.toBe(before.mutableId);
    const restored = emu.graph.restoreDeleted(mb, before.id);
    expect(restored.id).toBe(before.id);
    expect(emu.graph.events(mb).map((e) => e.id)).toEqual([before.id]);
    expect(emu.graph.deletedItems(mb)).toEqual([]);
  });

  it('permanentDelete removes the event for good, from the calendar or from Deleted Items, in $batch too', async () => {
    const mb = 'hard@uio.no';
    const a = await call('POST', `/users/${mb}/events`, eventBody('a'), IMMUTABLE);
    const b = await call('POST', `/users/${mb}/events`, eventBody('b'), IMMUTABLE);
    expect((await call('POST', `/users/${mb}/events/${a.body.id}/permanentDelete`, {})).status).toBe(204);
    expect(emu.graph.events(mb).map((e) => e.id)).toEqual([b.body.id]);
    expect(emu.graph.deletedItems(mb)).toEqual([]);
    await call('DELETE', `/users/${mb}/events/${b.body.id}`);
    expect(emu.graph.deletedItems(mb)).toHaveLength(1);
    const json = { 'Content-Type': 'application/json', Prefer: IMMUTABLE };
    const batch = await call('POST', '/$batch', {
      requests: [
        { id: '1', method: 'POST', url: `/users/${mb}/events/${b.body.id}/permanentDelete`, headers: json, body: {} },
      ],
    });
    expect(batch.body.responses[0].status).toBe(204);
    expect(emu.graph.deletedItems(mb)).toEqual([]);
    const gone = await call('POST', `/users/${mb}/events/${b.body.id}/permanentDelete`, {});
    expect(gone).toMatchObject({ status: 404, body: { error: { code: 'ErrorItemNotFound' } } });
    expect((await call('GET', `/users/${mb}/events/${a.body.id}/permanentDelete`)).status).toBe(405);
  });
});
