import type { Command } from 'commander';
import { reconcileAll } from '../../reconcile/reconcileAll';
import { parseSemesterCourseList, readCourseList } from '../courseList';
import { printJson, progressBar } from '../output';
import { UsageError } from '../usage';
import { runForcedPersonJob } from '../forcedPersonJob';
import { withContext } from '../withContext';

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description('drift repair against Graph: restore edited or deleted kada events, remove orphans and duplicates')
    .option('--all', 'every known person, and those FS names in the courses kada knows (resumes an unfinished run)')
    .option('--wait', 'with --all: wait for a run in progress elsewhere instead of exiting 1 at once')
    .option('--no-discover', 'with --all: walk only the persons kada already knows')
    .option(
      '--courses <file>',
      'with --all: read these courses from TP first (one a line, `IN1000[,1] [26h]`; - for standard input), ' +
        'so a walk over an empty database (a lost database, a new installation) finds their persons',
    )
    .option('--person <person>', 'one person: personlopenummer, username or e-mail')
    .option('--max-persons <n>', 'stop after this many persons (the next run resumes)', (v) => Number(v))
    .option('--max-minutes <n>', 'stop taking new persons after this many minutes', (v) => Number(v))
    .option('--concurrency <n>', 'persons at a time (default KADA_WORKERS)', (v) => Number(v))
    .option('--json', 'machine-readable output')
    .action(
      async (opts: {
        all?: boolean;
        discover?: boolean;
        wait?: boolean;
        courses?: string;
        person?: string;
        maxPersons?: number;
        maxMinutes?: number;
        concurrency?: number;
        json?: boolean;
      }) => {
        if (!!opts.all === !!opts.person) throw new UsageError('give either --all or --person <person>');
        if (opts.wait && !opts.all) throw new UsageError('--wait goes with --all');
        if (opts.courses && (!opts.all || opts.discover === false))
          throw new UsageError('--courses goes with --all, and needs discovery (not --no-discover)');
        const courseText = opts.courses ? await readCourseList(opts.courses) : null;
        for (const [name, v] of [
          ['--max-persons', opts.maxPersons],
          ['--max-minutes', opts.maxMinutes],
          ['--concurrency', opts.concurrency],
        ] as const) {
          if (v !== undefined && !(Number.isInteger(v) && v > 0))
            throw new UsageError(`${name} must be a positive whole number`);
        }
        await withContext(
          async (ctx) => {
            if (opts.person) {
              const json = !!opts.json;
              const { personId, job } = await runForcedPersonJob(ctx, opts.person, { command: 'reconcile', json });
              if (!json)
                process.stdout.write(
                  `person ${personId}: ${job.state} ${JSON.stringify(job.result ?? job.lastError)}\n`,
                );
              return;
            }
            const courses = courseText === null ? undefined : parseSemesterCourseList(courseText, ctx.config.semesters);
            const bar = progressBar(!opts.json, 'reconcile');
            const r = await reconcileAll(ctx, {
              concurrency: opts.concurrency ?? ctx.config.workers,
              maxPersons: opts.maxPersons,
              discover: opts.discover !== false,
              courses,
              wait: !!opts.wait,
              deadline: opts.maxMinutes ? Date.now() + opts.maxMinutes * 60_000 : undefined,
              onProgress: (p) => bar.update({ done: p.done, total: p.total }),
            }).finally(() => bar.stop());
            if (opts.json) printJson(r);
            else {
              const d = r.discovery;
              if (d) {
                const first = d.failed[0];
                const failed = first
                  ? `, ${d.failed.length} courses failed (first: ${first.course}: ${first.error})`
                  : '';
                process.stdout.write(`discovery: ${d.courses} courses asked, ${d.added} persons added${failed}\n`);
              }
              process.stdout.write(
                `reconcile run ${r.runId}${r.resumed ? ' (resumed)' : ''}: ${r.persons} persons, ${r.repairs} ` +
                  `repairs, ${r.failed.length} failed; ` +
                  `${r.finished ? 'finished' : 'stopped early, the next run resumes'}\n`,
              );
            }
            if (r.failed.length || r.discovery?.failed.length) process.exitCode = 1;
          },
          { quiet: !!opts.json },
        );
      },
    );
}
