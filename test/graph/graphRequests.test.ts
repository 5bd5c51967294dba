import { describe, expect, it } from 'vitest';
import { IMMUTABLE_IDS, withImmutableIds } from '../../src/graph/graphClient';
import { type GraphWrite, serialChain } from '../../src/graph/graphWrite';
import { subAnswer } from '../../src/graph/subAnswer';

/** What kada puts on the wire for Graph (graph.md): immutable ids everywhere, permanent deletes. */
describe('Graph requests kada sends', () => {
  const mailbox = 'a@uio.no';
  const ops: GraphWrite[] = [
    { kind: 'create', mailbox, calendarId: null, key: 'k1', body: { subject: 'x' } },
    { kind: 'update', mailbox, eventId: 'AAkALgAAid1=', key: 'k2', body: { subject: 'y' } },
    { kind: 'delete', mailbox, eventId: 'AAkALgAAid2=', key: 'k3' },
    { kind: 'read', mailbox, path: 'events/AAkALgAAid3=/instances?startDateTime=a&endDateTime=b', key: 'k4' },
  ];

  it('every batch sub-request asks for immutable ids itself (sub-requests do not inherit headers)', () => {
    for (const r of serialChain(ops)) expect(r.headers).toMatchObject({ Prefer: 'IdType="ImmutableId"' });
  });

  it('deletes kada owns are POST .../permanentDelete with an empty JSON body, chained like any write', () => {
    const del = serialChain(ops)[2]!;
    expect(del).toMatchObject({
      id: '3',
      method: 'POST',
      url: '/users/a%40uio.no/events/AAkALgAAid2%3D/permanentDelete',
      headers: { 'Content-Type': 'application/json' },
      body: {},
      dependsOn: ['2'],
    });
  });

  it('an event already gone (404) counts as deleted for a permanentDelete, as for DELETE', () => {
    const gone = { id: '3', status: 404, body: { error: { code: 'ErrorItemNotFound', message: 'gone' } } };
    expect(subAnswer(ops[2]!, 'POST', gone, 0)).toMatchObject({ kind: 'done', result: { ok: true } });
    expect(subAnswer(ops[1]!, 'PATCH', gone, 0)).toMatchObject({ kind: 'done', result: { ok: false, gone: true } });
  });

  it('adds the immutable-id preference beside others, once', () => {
    expect(withImmutableIds(undefined)).toBe(IMMUTABLE_IDS);
    expect(withImmutableIds('outlook.timezone="UTC"')).toBe(`outlook.timezone="UTC", ${IMMUTABLE_IDS}`);
    expect(withImmutableIds(`outlook.timezone="UTC", ${IMMUTABLE_IDS}`)).toBe(
      `outlook.timezone="UTC", ${IMMUTABLE_IDS}`,
    );
  });
});
