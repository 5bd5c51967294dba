import { parseTarget } from '../domain/target';
import { syncPerson, type SyncContext, type SyncOptions } from '../sync/syncPerson';
import { syncRoom } from '../sync/syncRoom';
import type { JobHooks } from '../jobs/workerPool';
import { PRIORITY, priorityClass, type Job as QueueJob } from '../jobs/types';

/**
 * What a job does: a person's sync, or a room mailbox's (`room:<tp_room_id>`, only with ROOM_CALENDARS=on;
 * off, a room job does nothing at all). Forced rebuilds and retries after a crash reconcile against Graph (the
 * crash may have fallen between a Graph write and its record); ordinary jobs trust the state store.
 */
export interface JobHandlerOptions {
  /**
   * A walk over many persons (`reconcile --all`): a course TP served since this moment (epoch ms) is fresh
   * enough for its forced jobs, so each course is read once a run rather than once a person (30,000 persons
   * x 4 courses a night against the API gateway). Without it a forced job reads every course again.
   */
  coursesFreshSince?: number;
}

export function personJobHandler(ctx: SyncContext, o: JobHandlerOptions = {}) {
  return async (job: QueueJob, hooks: JobHooks) => {
    const target = parseTarget(job.personId);
    if (target.kind === 'room' && !ctx.config.roomCalendars) return { outcome: 'room_calendars_off' };
    const opts: SyncOptions = {
      mode: job.force ? 'reconcile' : 'sync',
      priority: job.priority,
      courseMaxAgeMs: job.force ? 0 : undefined,
      coursesFreshSince: job.force ? o.coursesFreshSince : undefined,
      // Operator rebuilds (CLI, admin API) act on a person gone or a course emptied without a second sighting;
      // reconcile --all and crash recovery are forced too, but at a lower priority, and wait for it.
      confirmNow: job.priority >= PRIORITY.forced,
      jobId: job.id,
      // Forced rebuilds (CLI, admin) run at the forced priority; nightly reconciles do not retry refusals.
      retryRefusedSetup: job.force && job.priority >= PRIORITY.forced,
      onProgress: hooks.progress,
      // Operator rebuilds write everything at once; a forced job (reconcile --all, crash recovery) repairs
      // everything it read back from Graph in one go. The later weeks' job never splits (nearTermFirst.ts).
      nearTermFirst: !job.force && priorityClass(job.priority) !== 'rebuild',
    };
    const result =
      target.kind === 'room' ? await syncRoom(ctx, target.roomId, opts) : await syncPerson(ctx, job.personId, opts);
    // Personal data is fine at debug (src/log/personalData.ts keeps it out of info lines).
    ctx.logger.debug(
      { personId: job.personId, jobId: job.id, mailbox: result.mailbox, courses: result.courses },
      'person job result',
    );
    return {
      outcome: result.outcome,
      written: result.written,
      failed: result.failed.length,
      eventCount: result.eventCount,
      dataErrors: result.dataErrors.length,
      ...(result.deferred ? { deferred: result.deferred } : {}),
    };
  };
}
