import { describe, expect, it } from 'vitest';
import { parseSemesterCourseList } from '../../src/cli/courseList';
import { generationFromTransactionId, transactionIdFor, transactionKeyOf } from '../../src/graph/transactionId';

describe('reconcile --all --courses: the course list', () => {
  it('takes a course in every synced semester, or in the one named; skips blanks and comments', () => {
    const list = parseSemesterCourseList('IN1000\n\n# comment\nMAT1100,2 27v  # named\nIN1000,1\n', ['26h', '27v']);
    expect(list).toEqual([
      { courseId: 'IN1000', version: '1', semester: '26h' },
      { courseId: 'IN1000', version: '1', semester: '27v' },
      { courseId: 'MAT1100', version: '2', semester: '27v' },
    ]);
  });

  it('refuses the whole list when a line is bad, naming every bad line', () => {
    expect(() => parseSemesterCourseList('IN1000\nIN 1010 26h x\nMAT1100 2026H\n', ['26h'])).toThrow(
      /2 bad line\(s\)[\s\S]*line 2:[\s\S]*line 3: not a semester code/,
    );
    expect(() => parseSemesterCourseList('# nothing\n', ['26h'])).toThrow(/empty/);
  });
});

describe('the generation of an adopted event, from its transactionId', () => {
  const mailbox = 'Ola.Nordmann@uio.no';
  const key = 'tp:26h:IN1000,1:26H-IN1000-1-1-1-1+35+2';

  it('is the generation the create used, for this mailbox and key only', () => {
    for (const g of [0, 1, 7, 255])
      expect(generationFromTransactionId(mailbox, key, transactionIdFor(mailbox, transactionKeyOf(key, g)))).toBe(g);
    expect(generationFromTransactionId('other@uio.no', key, transactionIdFor(mailbox, key))).toBeNull();
    expect(generationFromTransactionId(mailbox, key, null)).toBeNull();
    expect(generationFromTransactionId(mailbox, key, 'set-by-someone-else')).toBeNull();
  });
});
