import { describe, it, expect } from 'vitest';
import { TEXTS } from '../../src/desired/texts';

describe('texts', () => {
  it('has every text in every language, none empty', () => {
    const keys = Object.keys(TEXTS.nb).sort();
    for (const lang of ['nb', 'nn', 'en'] as const) {
      expect(Object.keys(TEXTS[lang]).sort()).toEqual(keys);
      for (const value of Object.values(TEXTS[lang])) expect(value.trim()).not.toBe('');
    }
  });
});
