import { describe, expect, it } from 'vitest';
import { WalkWindow } from '../../src/reconcile/walkWindow';

/** The cursor of reconcile --all: a resumed run never skips a person that was not done. */
describe('WalkWindow', () => {
  it('moves the cursor only past persons done in a row, whatever order they finish in', () => {
    const w = new WalkWindow('');
    for (const p of ['a', 'b', 'c', 'd']) w.take(p);
    expect(w.finish('b')).toBe('');
    expect(w.finish('c')).toBe('');
    expect(w.finish('a')).toBe('c');
    w.take('e');
    expect(w.finish('e')).toBe('c');
    expect(w.finish('d')).toBe('e');
  });

  it('starts from the cursor of the run it resumes', () => {
    const w = new WalkWindow('m');
    expect(w.cursor).toBe('m');
    w.take('n');
    expect(w.finish('n')).toBe('n');
  });
});
