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
  if (rest.length || !COURSE_CODE_PATTERN.test(courseId)) throw new UsageError(`not a course: ${JSON.stringify(courseArg)} (expected e.g. IN1000 or IN1000,1)`);
  if (!COURSE_VERSION_PATTERN.test(version)) throw new UsageError(`not a course version: ${JSON.stringify(version)}`);
  const semester = semesterArg.trim().toLowerCase();
  if (!isSemesterCode(semester)) throw new UsageError(`not a semester code: ${JSON.stringify(semesterArg)} (expected e.g. 26h or 27v)`);
  return { courseId, version, semester };
}

/**
 * `kada enqueue-course <courseid>[,<version>] <semester>`: puts a course change in the inbox as if
 * TP had sent it; a running `kada run` plans it like any other (one TP read, everyone affected).
 */
export function registerEnqueueCourse(program: Command): void {
  program
    .command('enqueue-course')
    .description('as if TP had sent a change notification for the course')
    .argument('<courseid>', 'course code, optionally with version: IN1000 or IN1000,1')
    .argument('<semester>', 'TP semester code, e.g. 26h')
    .option('--json', 'machine-readable output')
    .action(async (courseArg: string, semesterArg: string, opts: { json?: boolean }) => {
      const course = parseCourseArgs(courseArg, semesterArg);
      const ds = createDataSource(loadDatabaseUrl(), { poolSize: 2 });
      await ds.initialize();
      try {
        await assertMigrated(ds);
        const notificationId = `manual:${randomUUID()}`;
        const { inboxId, receivedAt } = await storeManualCourseChange(ds, notificationId, course);
        if (opts.json) printJson({ notificationId, inboxId, course, receivedAt });
        else process.stdout.write(`queued a TP change of ${courseKey(course)} as notification ${notificationId} (inbox ${inboxId})\n`);
      } finally {
        await ds.destroy();
      }
    });
}
