import type { Command } from 'commander';
import { createFeed, revokeFeed } from '../../ics/feedLifecycle';
import { resolveFeedSubject } from '../../ics/feedSubject';
import type { AppContext } from '../../app/context';
import { printJson } from '../output';
import { UnknownPersonError, UsageError } from '../usage';
import { withContext } from '../withContext';

/**
 * `kada ics create <person>` prints the person's feed URL (the same one while the feed is active);
 * `kada ics revoke <person>` ends the feed (rooms-ics.md).
 */

const PERSON = 'personlopenummer, username, e-mail, or tp:<username> for TP staff without an FS record';

async function subjectOrFail(ctx: AppContext, person: string): Promise<string> {
  if (!person.trim()) throw new UsageError(`a person is required: ${PERSON}`);
  const subject = await resolveFeedSubject(ctx, person);
  if (!subject)
    throw new UnknownPersonError(person, 'not known to kada or FS, and no stored TP timetable names a tp:<username>');
  return subject;
}

export function registerIcs(program: Command): void {
  const ics = program.command('ics').description("manage a person's ICS feed (a private subscription URL)");
  ics
    .command('create')
    .description("print the person's feed URL; while the feed is active it is always the same one")
    .argument('<person>', PERSON)
    .option('--json', 'machine-readable output')
    .action(async (person: string, opts: { json?: boolean }) => {
      await withContext(
        async (ctx) => {
          const { url, created } = await createFeed(ctx, await subjectOrFail(ctx, person));
          if (opts.json) return printJson({ url, created });
          process.stdout.write(`${url}\n`);
        },
        { quiet: !!opts.json },
      );
    });
  ics
    .command('revoke')
    .description("end the person's feed: its URL answers 404 from now on")
    .argument('<person>', PERSON)
    .option('--json', 'machine-readable output')
    .action(async (person: string, opts: { json?: boolean }) => {
      await withContext(
        async (ctx) => {
          const subject = await subjectOrFail(ctx, person);
          const revoked = await revokeFeed(ctx, subject);
          if (opts.json) return printJson({ revoked });
          process.stdout.write(revoked ? 'feed revoked\n' : 'no active feed\n');
        },
        { quiet: !!opts.json },
      );
    });
}
