import { exceptionKey, occurrenceDates, occurrenceOf, type WeeklyRecurrence } from '../desired/series';
import type { ExceptionWrite } from '../diff/seriesPlan';
import type { DesiredEvent, EventContent, SyncedEvent } from '../domain/types';
import { InstancesGoneError, readInstances, type SeriesInstance } from '../graph/instances';
import type { GraphWriter } from '../graph/writer';
import type { Logger } from '../log/logger';
import { fingerprint } from '../desired/fingerprint';
import type { Queryable } from '../store/queryable';
import { forgetEvent, saveEvent } from '../store/syncedEvents';

/**
 * The second phase of a SERIES_MODE=weekly sync: PATCH the instances of series masters that
 * differ from their series (seriesPlan.ts), and, when reconciling, read them back. An instance
 * that cannot be found or patched (the person deleted that occurrence in Outlook) cannot be
 * brought back on its own: its master is marked for replacement, and the retry writes the whole
 * series again.
 */

/** The hash a master is recorded with when it must be written again as a whole. */
export const REPLACE_SERIES = 'replace-series';

export interface ExceptionFailure {
  key: string;
  kind: 'update';
  status: number;
  code: string;
  message: string;
}

/** What an exception PATCH sends: the occurrence's content; markers stay the master's. */
export function exceptionBody(content: EventContent): Record<string, unknown> {
  const { recurrence: _r, ...rest } = content;
  return rest;
}

const rangeOf = (master: DesiredEvent) => (master.content.recurrence as WeeklyRecurrence).range;

function instancesOf(writer: GraphWriter, mailbox: string, masterId: string, master: DesiredEvent, priority: number) {
  const range = rangeOf(master);
  return readInstances(writer, {
    mailbox,
    masterId,
    firstDate: range.startDate,
    lastDate: range.endDate,
    zone: master.content.start.timeZone,
    key: master.key,
    priority,
  });
}

export async function writeExceptions(
  ctx: { db: Queryable; writer: GraphWriter; logger: Logger },
  args: {
    personId: string;
    mailbox: string;
    writes: ExceptionWrite[];
    masters: ReadonlyMap<string, DesiredEvent>;
    /** Graph ids of the masters as recorded after the first phase. */
    masterIds: ReadonlyMap<string, string>;
    priority: number;
    onDone: () => void;
  },
): Promise<{ written: number; failed: ExceptionFailure[] }> {
  const { db, writer } = ctx;
  const { personId, mailbox, priority } = args;
  const failed: ExceptionFailure[] = [];
  let written = 0;
  const broken = new Set<string>();
  const replace = async (masterKey: string, w: ExceptionWrite, status: number, code: string, message: string) => {
    failed.push({ key: w.key, kind: 'update', status, code, message });
    const master = args.masters.get(masterKey);
    const id = args.masterIds.get(masterKey);
    if (!master || !id || broken.has(masterKey)) return;
    broken.add(masterKey);
    await saveEvent(db, personId, {
      key: masterKey,
      graphEventId: id,
      hash: REPLACE_SERIES,
      mailbox,
      course: master.course,
    });
  };

  // Instance ids of the weeks nobody has patched yet: one read per master.
  const byMaster = new Map<string, ExceptionWrite[]>();
  for (const w of args.writes) {
    const list = byMaster.get(w.masterKey) ?? [];
    list.push(w);
    byMaster.set(w.masterKey, list);
  }
  await Promise.all(
    [...byMaster].map(async ([masterKey, writes]) => {
      const masterId = args.masterIds.get(masterKey);
      const master = args.masters.get(masterKey);
      if (!masterId || !master) {
        // The master's own write failed (and is reported): its exceptions follow on the retry.
        ctx.logger.warn(
          { personId, key: masterKey, exceptions: writes.length },
          'series master not written: its exceptions wait for the retry',
        );
        for (const _ of writes) args.onDone();
        return;
      }
      let ids = new Map<string, string>();
      if (writes.some((w) => !w.instanceId)) {
        try {
          ids = new Map(
            (await instancesOf(writer, mailbox, masterId, master, priority)).map((i) => [i.originalDate, i.id]),
          );
        } catch (err) {
          const gone = err instanceof InstancesGoneError;
          for (const w of writes) {
            if (gone)
              await replace(
                masterKey,
                w,
                404,
                'GRAPH_SERIES_GONE',
                `series master of ${w.key} is gone from the mailbox`,
              );
            else
              failed.push({
                key: w.key,
                kind: 'update',
                status: 0,
                code: 'GRAPH_RETRIES_EXHAUSTED',
                message: (err as Error).message,
              });
            args.onDone();
          }
          return;
        }
      }
      await Promise.all(
        writes.map(async (w) => {
          const instanceId = w.instanceId ?? ids.get(w.originalDate);
          if (!instanceId) {
            await replace(
              masterKey,
              w,
              404,
              'GRAPH_INSTANCE_NOT_FOUND',
              `series ${masterKey} has no instance on ${w.originalDate}`,
            );
            return args.onDone();
          }
          const r = await writer.write(
            { kind: 'update', mailbox, eventId: instanceId, key: w.key, body: exceptionBody(w.content) },
            priority,
          );
          if (r.ok) {
            written++;
            if (w.desired)
              await saveEvent(db, personId, {
                key: w.key,
                graphEventId: instanceId,
                hash: w.desired.hash,
                mailbox,
                course: w.desired.course,
              });
            else await forgetEvent(db, personId, w.key, instanceId);
          } else if (r.gone) {
            await replace(
              masterKey,
              w,
              r.status,
              'GRAPH_INSTANCE_GONE',
              `the instance of ${w.key} was deleted in the mailbox`,
            );
          } else {
            failed.push({ key: w.key, kind: 'update', status: r.status, code: r.code, message: r.message });
          }
          args.onDone();
        }),
      );
    }),
  );
  return { written, failed };
}

/**
 * Reconcile: what Graph holds of the weeks of intact masters, as state rows diff can use. An
 * instance that matches what the person should see counts as written; one that does not is
 * recorded as drifted (PATCHed back); a week without an instance means the person deleted that
 * occurrence, so the whole master is marked drifted and written again.
 */
export async function observeExceptions(
  writer: GraphWriter,
  opts: { mailbox: string; desired: readonly DesiredEvent[]; observed: SyncedEvent[]; priority: number },
): Promise<SyncedEvent[]> {
  const want = new Map(opts.desired.map((d) => [d.key, d]));
  const rows: SyncedEvent[] = [];
  await Promise.all(
    opts.observed.map(async (row) => {
      const master = want.get(row.key);
      if (!master?.content.recurrence || row.hash !== master.hash) return;
      let instances: SeriesInstance[];
      try {
        instances = await instancesOf(writer, opts.mailbox, row.graphEventId, master, opts.priority);
      } catch (err) {
        if (err instanceof InstancesGoneError) {
          row.hash = `drift:${row.hash}`;
          return;
        }
        throw err;
      }
      const byDate = new Map(instances.map((i) => [i.originalDate, i]));
      for (const date of occurrenceDates(master)) {
        const instance = byDate.get(date);
        if (!instance) {
          row.hash = `drift:${row.hash}`;
          return;
        }
        const key = exceptionKey(master.key, date);
        const exception = want.get(key);
        const expected = exception?.content ?? occurrenceOf(master, date);
        const intact = fingerprint(instance) === fingerprint(expected);
        if (exception) rows.push({ key, graphEventId: instance.id, hash: intact ? exception.hash : 'drift' });
        else if (!intact) rows.push({ key, graphEventId: instance.id, hash: 'drift' });
      }
    }),
  );
  return rows;
}
