import { readFile } from 'node:fs/promises';
import { courseKey, type CourseRef } from '../domain/types';
import { parseCourseArgs } from './commands/enqueueCourse';
import { UsageError } from './usage';

/**
 * `reconcile --all --courses <file|->`: one course a line, `IN1000` or `IN1000,1`, optionally followed
 * by a semester (`IN1000,1 26h`); without one, the course in every synced semester. Blank lines and
 * `#` comments are skipped; every line is checked before anything runs.
 */
export function parseSemesterCourseList(text: string, semesters: string[]): CourseRef[] {
  const courses = new Map<string, CourseRef>();
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [course = '', semester, ...rest] = line.split(/\s+/);
    try {
      if (rest.length)
        throw new UsageError(`expected "<course>[,<version>] [<semester>]", got ${JSON.stringify(line)}`);
      for (const sem of semester ? [semester] : semesters) {
        const c = parseCourseArgs(course, sem);
        courses.set(courseKey(c), c);
      }
    } catch (err) {
      bad.push(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  if (bad.length)
    throw new UsageError(
      `${bad.length} bad line(s) in the course list, nothing done:\n  ${bad.slice(0, 20).join('\n  ')}`,
    );
  if (courses.size === 0) throw new UsageError('the course list is empty');
  return [...courses.values()];
}

/** The list from a file, or standard input for `-`. */
export async function readCourseList(source: string): Promise<string> {
  if (source !== '-') return readFile(source, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
