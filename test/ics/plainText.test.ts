import { describe, expect, it } from 'vitest';
import { body } from '../../src/desired/body';
import { decodeEntities, plainText } from '../../src/ics/plainText';
import { cancelledGroup, lecture, settings } from '../desired/tpExample';

describe('plainText (an ICS DESCRIPTION from the Outlook body)', () => {
  it("turns kada's body into lines with every link's address and no markup", () => {
    const text = plainText(body(lecture(), 'Introduksjon til programmering', settings()));
    expect(text).not.toMatch(/<\/?(p|a|br|em|strong)\b/);
    expect(text.split('\n')[0]).toBe('Emne: IN1000 Introduksjon til programmering');
    expect(text).toContain('Undervisningsform: Forelesning');
    expect(text).toMatch(/Emnesiden IN1000 <https:\/\/[^>]+>/);
    expect(text.split('\n').at(-1)).toMatch(/^Denne avtalen oppdateres automatisk/);
  });

  it('keeps the cancelled notice as the first line', () => {
    const text = plainText(body(cancelledGroup(), 'Kurs', settings('en')));
    expect(text.split('\n')[0]).toBe('This session is cancelled.');
  });

  it("decodes entities, so a planner's text reads as typed", () => {
    const html = body(lecture(), 'Tom & Jerry <b>"x"</b>', settings());
    expect(plainText(html)).toContain('Emne: IN1000 Tom & Jerry <b>"x"</b>');
    expect(decodeEntities('&#229;&#xE6;&amp;&unknown;')).toBe('åæ&&unknown;');
  });
});
