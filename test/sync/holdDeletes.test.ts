import { describe, expect, it } from 'vitest';
import { applyAllowance, splitForGuard } from '../../src/sync/holdDeletes';
import type { Op } from '../../src/sync/personJob';

const del = (id: string, sourceRemoval?: boolean): Op => ({
  kind: 'delete',
  mailbox: 'm@x.no',
  eventId: id,
  key: `k-${id}`,
  ...(sourceRemoval === undefined ? {} : { sourceRemoval }),
});
const update: Op = { kind: 'update', mailbox: 'm@x.no', eventId: 'u', key: 'k-u', body: {} };
const create: Op = { kind: 'create', mailbox: 'm@x.no', calendarId: null, key: 'k-c', body: {} };

describe('the deletion guard decisions', () => {
  it('counts only source-removal deletes; creates, updates and other deletes go free', () => {
    const { free, counted } = splitForGuard([create, update, del('a', true), del('b'), del('c', false)], new Set());
    expect(counted.map((o) => o.key)).toEqual(['k-a']);
    expect(free.map((o) => o.key)).toEqual(['k-c', 'k-u', 'k-b', 'k-c']);
  });

  it('lets released deletes through without counting them', () => {
    const { free, counted } = splitForGuard([del('a', true), del('b', true)], new Set(['b']));
    expect(counted.map((o) => o.key)).toEqual(['k-a']);
    expect(free.map((o) => o.key)).toEqual(['k-b']);
  });

  it('runs what the allowance grants and holds the rest', () => {
    const counted = [del('a', true), del('b', true), del('c', true)];
    expect(applyAllowance(counted, 2)).toEqual({ run: counted.slice(0, 2), hold: counted.slice(2) });
    expect(applyAllowance(counted, 0).hold).toHaveLength(3);
    expect(applyAllowance(counted, 10).hold).toHaveLength(0);
  });
});
