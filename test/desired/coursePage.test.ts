import { describe, it, expect } from 'vitest';
import { coursePageUrl } from '../../src/desired/coursePage';

describe('coursePageUrl', () => {
  it("uses the institution's course-page pattern where it is known", () => {
    expect(coursePageUrl('ntnu', 'TDT4100')).toBe('https://www.ntnu.no/studier/emner/TDT4100');
    expect(coursePageUrl('uib', 'INF100')).toBe('https://www.uib.no/emne/INF100');
  });

  it("falls back to a search on the institution's site", () => {
    expect(coursePageUrl('uio', 'IN1000')).toBe('https://duckduckgo.com/?q=IN1000+site%3Auio.no');
  });

  it('encodes the course code', () => {
    expect(coursePageUrl('ntnu', 'A B/"x')).toBe('https://www.ntnu.no/studier/emner/A%20B%2F%22x');
  });
});
