import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { assertMigrated } from '../../app/runService';
import { loadDatabaseUrl } from '../../config/config';
import { createDataSource } from '../../db/dataSource';
import { isSemesterCode } from '../../domain/semester';
import { courseKey, type CourseRef } from '../../domain/types';
import { storeManualCourseChange } from '../../intake/inboxStore';
import { COURSE_CODE_PATTERN, COURSE_VERSION_PATTERN } from '../../intake/notificationSchemas';
import { printJson } from '../output';
import { UsageError } from '../usage';

/** `IN1000` or `IN1000,2` plus `26h`; a bad argument is a usage error (exit 2). */
export function parseCourseArgs(courseArg: string, semesterArg: string): CourseRef {
  const [courseId = '', version = '1', ...rest] = courseArg.trim().split(',');
  if (rest.length || !COURSE_CODE_PATTERN.test(courseId))
    throw new UsageError(`not a course: ${JSON.stringify(courseArg)} (expected e.g. IN1000 or IN1000,1)`);
  if (!COURSE_VERSION_PATTERN.test(version)) throw new UsageError(`not a course version: ${JSON.stringify(version)}`);
  const semester = semesterArg.trim().toLowerCase();
  if (!isSemesterCode(semester))
    throw new UsageError(`not a semester code: ${JSON.stringify(semesterArg)} (expected e.g. 26h or 27v)`);
  return { courseId, version, semester };
}

/**
 * A list of courses, one per line (`IN1000` or `IN1000,1`; blank lines and `#` comments skipped),
 * for one semester. Every line is checked before anything is queued, so a typo on line 300 does not
 * leave half a semester queued.
 */
export function parseCourseList(text: string, semesterArg: string): CourseRef[] {
  const courses = new Map<string, CourseRef>();
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    try {
      const c = parseCourseArgs(line, semesterArg);
      courses.set(courseKey(c), c);
    } catch (err) {
      bad.push(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  if (bad.length)
    throw new UsageError(
      `${bad.length} bad line(s) in the course list, nothing queued:\n  ${bad.slice(0, 20).join('\n  ')}`,
    );
  if (courses.size === 0) throw new UsageError('the course list on standard input is empty');
  return [...courses.values()];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `kada enqueue-course <courseid>[,<version>] <semester>`: puts a course change in the inbox as if
 * TP had sent it; a running `kada run` plans it like any other (one TP read, everyone affected).
 * `-` instead of a course reads a list from standard input: how a new installation is filled, as
 * neither TP nor FS offers kada a list of a semester's courses.
 */
export function registerEnqueueCourse(program: Command): void {
  program
    .command('enqueue-course')
    .description('as if TP had sent a change notification for the course')
    .argument(
      '<courseid>',
      'course code, optionally with version: IN1000 or IN1000,1; - reads a list, one per line, from standard input',
    )
    .argument('<semester>', 'TP semester code, e.g. 26h')
    .option('--json', 'machine-readable output')
    .action(async (courseArg: string, semesterArg: string, opts: { json?: boolean }) => {
      const list = courseArg.trim() === '-';
      const courses = list
        ? parseCourseList(await readStdin(), semesterArg)
        : [parseCourseArgs(courseArg, semesterArg)];
      const ds = createDataSource(loadDatabaseUrl(), { poolSize: 2 });
      await ds.initialize();
      try {
        await assertMigrated(ds);
        const queued = [];
        for (const course of courses) {
          const notificationId = `manual:${randomUUID()}`;
          const { inboxId, receivedAt } = await storeManualCourseChange(ds, notificationId, course);
          queued.push({ notificationId, inboxId, course, receivedAt });
          if (!opts.json)
            process.stdout.write(
              `queued a TP change of ${courseKey(course)} as notification ${notificationId} (inbox ${inboxId})\n`,
            );
        }
        if (opts.json) printJson(list ? queued : queued[0]);
      } finally {
        await ds.destroy();
      }
    });
}
