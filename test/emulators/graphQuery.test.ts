import { describe, expect, it } from 'vitest';
import { GraphHttpError } from '../../testkit/graph/graphHttp';
import { evaluateFilter, nextLink, parseExpand, parseFilter, parseQueryString } from '../../testkit/graph/graphQuery';
import { normalizeExtendedPropertyId } from '../../testkit/graph/graphEventSchema';
import { extendedIdEquals } from '../../testkit/graph/graphStore';

const OWNER = 'String {5b8c4f3e-2a71-4d0e-9c6b-1f2e3d4c5b6a} Name kadaOwner';

describe('OData query options of the Graph emulator', () => {
  const event = {
    subject: "O'Neil's lecture",
    singleValueExtendedProperties: [
      { id: OWNER, value: 'uio' },
      { id: 'String {5b8c4f3e-2a71-4d0e-9c6b-1f2e3d4c5b6a} Name kadaKey', value: 'tp:26h:IN1000,1:x+35+2' },
    ],
  };

  it('evaluates the extended-property Any filter, matching ids by identity not spelling', () => {
    const f = parseFilter(
      `singleValueExtendedProperties/Any(ep: ep/id eq ` +
        `'${OWNER.toLowerCase().replace('name kadaowner', 'Name kadaOwner')}' and ep/value eq 'uio')`,
    );
    expect(evaluateFilter(f, event, extendedIdEquals)).toBe(true);
    const other = parseFilter(`singleValueExtendedProperties/any(x: x/id eq '${OWNER}' and x/value eq 'uib')`);
    expect(evaluateFilter(other, event, extendedIdEquals)).toBe(false);
    const wrongName = parseFilter(
      `singleValueExtendedProperties/Any(ep: ep/id eq '${OWNER.replace('kadaOwner', 'kadaowner')}' and ep/value eq ` +
        `'uio')`,
    );
    expect(evaluateFilter(wrongName, event, extendedIdEquals)).toBe(false);
  });

  it('knows the three forms of an extended property id: by name, by id in a property set, by tag', () => {
    expect(normalizeExtendedPropertyId('String {5B8C4F3E-2A71-4D0E-9C6B-1F2E3D4C5B6A} Name kadaOwner')).toBe(
      'string {5b8c4f3e-2a71-4d0e-9c6b-1f2e3d4c5b6a} name kadaOwner',
    );
    expect(normalizeExtendedPropertyId('Integer {5b8c4f3e-2a71-4d0e-9c6b-1f2e3d4c5b6a} Id 0x8A01')).toBe(
      'integer {5b8c4f3e-2a71-4d0e-9c6b-1f2e3d4c5b6a} id 0x8a01',
    );
    expect(normalizeExtendedPropertyId('String 0x0E1D')).toBe('string 0x0e1d');
    expect(normalizeExtendedPropertyId('StringArray 0x0e1d')).toBe('stringarray 0x0e1d');
    expect(normalizeExtendedPropertyId('String kadaOwner')).toBeNull();
  });

  it('handles quotes, precedence and parentheses', () => {
    expect(evaluateFilter(parseFilter(`subject eq 'O''Neil''s lecture'`), event)).toBe(true);
    expect(evaluateFilter(parseFilter(`subject eq 'x' or subject ne 'y' and subject eq 'z'`), event)).toBe(false);
    expect(evaluateFilter(parseFilter(`(subject eq 'x' or subject ne 'y') and not (subject eq 'z')`), event)).toBe(
      true,
    );
  });

  it('answers 400 for filters it cannot parse', () => {
    for (const bad of [
      `subject eq`,
      `singleValueExtendedProperties/Any(ep ep/id eq 'x')`,
      `subject eq 'open`,
      `contains(subject,'x')`,
    ]) {
      expect(() => parseFilter(bad), bad).toThrow(GraphHttpError);
    }
  });

  it('parses $expand with a nested $filter', () => {
    const [item] = parseExpand(`singleValueExtendedProperties($filter=id eq '${OWNER}' or id eq 'b')`);
    expect(item!.property).toBe('singleValueExtendedProperties');
    expect(evaluateFilter(item!.filter!, { id: OWNER }, extendedIdEquals)).toBe(true);
  });

  it('decodes the query as ASP.NET does and keeps the query in nextLink, encoded', () => {
    const q = parseQueryString(`$filter=subject%20eq%20'a+b'&$TOP=5&$skiptoken=abc`);
    expect(q.get('$filter')).toBe("subject eq 'a b'");
    expect(q.get('$top')).toBe('5');
    expect(() => parseQueryString('$top=1&$top=2')).toThrow(GraphHttpError);
    const link = nextLink('https://localhost:1/v1.0/users/a/events', new Map([['$filter', "key eq 'x+y'"]]), 10);
    expect(link).toMatch(/^https:\/\/localhost:1\/v1\.0\/users\/a\/events\?\$filter=key%20eq%20'x%2By'&\$skiptoken=/);
  });
});
