import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY_MESSAGE } from '../../testkit/graph/graphAccessPolicy';
import { startGraphEmulator, type GraphEmulator } from '../../testkit/graph/graphEmulator';

/**
 * Mailboxes kada may not or cannot reach: an application access policy (graph docs:
 * auth-limit-mailbox-access) and users without a usable mailbox, alone and inside a $batch chain
 * (concepts/json-batching: dependents of a failed request fail with 424).
 */
describe('Graph emulator: mailbox access', () => {
  let emu: GraphEmulator;
  beforeAll(async () => {
    emu = await startGraphEmulator({ accessPolicy: { mailboxes: ['in@uio.no', 'gone@uio.no', 'off@uio.no'] } });
    emu.addMailbox('gone@uio.no', { state: 'invalidUser' });
    emu.addMailbox('off@uio.no', { state: 'noMailbox' });
  });
  afterAll(async () => emu?.close());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.baseUrl}${path}`, {
      method,
      headers: { Authorization: 'Bearer t', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  it('answers 403 ErrorAccessDenied for a mailbox outside the policy, and serves those inside', async () => {
    const out = await call('GET', '/users/out@uio.no/events');
    expect(out.status).toBe(403);
    expect(out.body.error).toMatchObject({ code: 'ErrorAccessDenied', message: ACCESS_POLICY_MESSAGE });
    expect((await call('GET', '/users/in@uio.no/events')).status).toBe(200);
    expect((await call('GET', '/users/out@uio.no/calendars')).status).toBe(403);
  });

  it('answers 404 for a user that is gone or has no mailbox', async () => {
    const gone = await call('GET', '/users/gone@uio.no/events');
    expect([gone.status, gone.body.error.code]).toEqual([404, 'ErrorInvalidUser']);
    const off = await call('GET', '/users/off@uio.no/events');
    expect([off.status, off.body.error.code]).toEqual([404, 'MailboxNotEnabledForRESTAPI']);
  });

  it('fails the dependents of a refused sub-request with 424, and a policy change takes effect', async () => {
    const json = { 'Content-Type': 'application/json' };
    const body = {
      subject: 'x',
      start: { dateTime: '2026-09-01T10:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-09-01T11:00:00', timeZone: 'UTC' },
    };
    const requests = [
      { id: '1', method: 'POST', url: '/users/in@uio.no/events', headers: json, body },
      { id: '2', method: 'POST', url: '/users/out@uio.no/events', headers: json, body, dependsOn: ['1'] },
      { id: '3', method: 'POST', url: '/users/in@uio.no/events', headers: json, body, dependsOn: ['2'] },
    ];
    const r = await call('POST', '/$batch', { requests });
    const byId = Object.fromEntries(r.body.responses.map((x: { id: string; status: number }) => [x.id, x.status]));
    expect(byId).toEqual({ '1': 201, '2': 403, '3': 424 });

    emu.setAccessPolicy(null);
    expect((await call('GET', '/users/out@uio.no/events')).status).toBe(200);
    const put = await fetch(`${emu.origin}/_emulator/access-policy`, {
      method: 'PUT',
      body: JSON.stringify({ mailboxes: ['in@uio.no'] }),
    });
    expect(put.status).toBe(200);
    expect((await call('GET', '/users/out@uio.no/events')).status).toBe(403);
  });
});
