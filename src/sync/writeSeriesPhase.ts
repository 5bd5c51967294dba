import { parseExceptionKey } from '../desired/series';
import { forgetEvent, loadState, type StoredEvent } from '../store/syncedEvents';
import type { SeriesWork, SyncContext } from './personJob';
import { writeExceptions } from './seriesExceptions';
import type { WriteJob } from './writeOps';

/**
 * The second phase, after the first: forget the records of exceptions whose master went (or was
 * written anew), then PATCH the instances that differ from their series.
 */
export async function writeSeriesPhase(
  ctx: Pick<SyncContext, 'db' | 'writer' | 'logger'>,
  job: WriteJob,
  args: { mailbox: string | null; series: SeriesWork; stored: StoredEvent[] },
): Promise<void> {
  const { personId } = job;
  const { mailbox, series } = args;
  for (const f of series.forget) await forgetEvent(ctx.db, personId, f.key, f.graphEventId);
  if (series.exceptions.length === 0 && !args.stored.some((s) => parseExceptionKey(s.key))) return; // no series here
  const now = await loadState(ctx.db, personId);
  const masters = new Map(now.filter((s) => !parseExceptionKey(s.key)).map((s) => [s.key, s]));
  // Records of exceptions whose master is gone (a person gone, a new mailbox) go too.
  for (const s of now) {
    const ex = parseExceptionKey(s.key);
    if (ex && masters.get(ex.masterKey)?.mailbox !== s.mailbox)
      await forgetEvent(ctx.db, personId, s.key, s.graphEventId);
  }
  const masterIds = new Map([...masters].filter(([, s]) => s.mailbox === mailbox).map(([k, s]) => [k, s.graphEventId]));
  if (!mailbox || series.exceptions.length === 0) return;
  const { written, failed } = await writeExceptions(ctx, {
    personId,
    mailbox,
    writes: series.exceptions,
    masters: series.masters,
    masterIds,
    priority: job.priority,
    onDone: job.progress,
  });
  job.result.written.updates += written;
  job.result.failed.push(...failed);
}
