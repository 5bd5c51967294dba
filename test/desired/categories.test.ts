import { describe, it, expect } from 'vitest';
import { categories } from '../../src/desired/categories';

describe('categories', () => {
  it('names the teaching category in the configured language', () => {
    expect(categories('nb')).toEqual(['Undervisning']);
    expect(categories('nn')).toEqual(['Undervisning']);
    expect(categories('en')).toEqual(['Teaching']);
  });
});
