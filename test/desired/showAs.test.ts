import { describe, it, expect } from 'vitest';
import { showAs } from '../../src/desired/showAs';
import { cancelledGroup, lecture } from './tpExample';

describe('showAs', () => {
  it('is busy for an active session and free for a cancelled one', () => {
    expect(showAs(lecture())).toBe('busy');
    expect(showAs(cancelledGroup())).toBe('free');
  });
});
