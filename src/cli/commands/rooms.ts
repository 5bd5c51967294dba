import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { assertMigrated } from '../../app/runService';
import { loadDatabaseUrl } from '../../config/config';
import { roomView } from '../../admin/roomReport';
import { createDataSource } from '../../db/dataSource';
import { listRoomPlaces } from '../../graph/places';
import { importRoomMapping } from '../../rooms/importRooms';
import { csvField, parseRoomCsv } from '../../rooms/roomCsv';
import { suggestRooms } from '../../rooms/suggestRooms';
import { knownTpRooms } from '../../store/courses';
import { listRooms, type RoomRow } from '../../store/rooms';
import { printJson } from '../output';
import { UsageError } from '../usage';
import { withContext } from '../withContext';

/**
 * `kada rooms [--json]`, `kada rooms import <file.csv>`, `kada rooms suggest` (rooms-ics.md): the TP
 * room -> room mailbox mapping of ROOM_CALENDARS. Listing and import need only DATABASE_URL; an import
 * queues the jobs of every room it maps, re-addresses or unmaps, and a running `kada run` does them.
 */
export function registerRooms(program: Command): void {
  const rooms = program
    .command('rooms')
    .description('list the TP room -> room mailbox mapping (ROOM_CALENDARS) with event counts and last sync')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const list = await withDatabase((ds) => listRooms(ds));
      if (opts.json) printJson(list.map(roomView));
      else process.stdout.write(formatRooms(list));
    });

  rooms
    .command('import')
    .description('make the mapping exactly the CSV file (header tp_room_id,mailbox); rooms left out are unmapped')
    .argument('<file>', 'CSV file')
    .option('--json', 'machine-readable output')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      // `--json` after the subcommand's argument may be taken by `rooms` itself: either place counts.
      const opts = cmd.optsWithGlobals<{ json?: boolean }>();
      const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${file}: ${err.code ?? err.message}`);
      });
      const parsed = parseRoomCsv(text);
      if (!parsed.ok)
        throw new UsageError(
          `${parsed.problems.length} bad line(s) in ${file}, nothing changed:\n  ` +
            parsed.problems.slice(0, 20).join('\n  '),
        );
      const outcome = await withDatabase((ds) => importRoomMapping(ds, parsed.mapping));
      if (opts.json) printJson(outcome);
      else
        process.stdout.write(
          `rooms mapped: ${outcome.added.length} new, ${outcome.changed.length} with a new mailbox, ` +
            `${outcome.unchanged} unchanged; ${outcome.removed.length} unmapped (their kada events are removed by ` +
            `a running kada run); ${outcome.jobsQueued} room job(s) queued\n`,
        );
    });

  rooms
    .command('suggest')
    .description('print a CSV of likely room mailboxes for TP rooms, by name (Graph places, Place.Read.All)')
    .action(async () => {
      const suggestions = await withContext(
        async (ctx) => suggestRooms(await knownTpRooms(ctx.db, ctx.config.semesters), await listRoomPlaces(ctx.writer)),
        { quiet: true },
      );
      const lines = ['tp_room_id,mailbox,tp_room_name,place_name,score'];
      for (const s of suggestions)
        lines.push([s.roomId, s.mailbox, s.tpName, s.placeName, String(s.score)].map(csvField).join(','));
      process.stdout.write(`${lines.join('\n')}\n`);
      process.stderr.write(
        `${suggestions.length} likely match(es) by name: check each before kada rooms import (it never imports)\n`,
      );
    });
}

async function withDatabase<T>(fn: (ds: import('typeorm').DataSource) => Promise<T>): Promise<T> {
  const ds = createDataSource(loadDatabaseUrl(), { poolSize: 2 });
  await ds.initialize();
  try {
    await assertMigrated(ds);
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

function formatRooms(list: RoomRow[]): string {
  if (list.length === 0) return 'no rooms mapped (kada rooms import <file.csv>)\n';
  const rows = list.map((r) => [
    r.roomId,
    r.mailbox ?? '(unmapped, events being removed)',
    String(r.eventCount),
    r.lastSyncAt?.toISOString() ?? 'never',
    r.lastError ?? '',
  ]);
  const head = ['tp_room_id', 'mailbox', 'events', 'last sync', 'last error'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return `${[head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(width[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
