import { recordError } from '../store/errors';
import { parseTarget } from '../domain/target';
import { recordPersonError } from '../store/persons';
import { recordRoomError } from '../store/rooms';
import type { Queryable } from '../store/queryable';
import type { Job } from './types';

/**
 * A failed attempt becomes the person's "last error" (admin page, `kada status <person>`); a job that
 * has given up also goes into the error log, so "my lecture is missing" has an answer there. Retries
 * are not logged one by one: they would flood the list during an outage.
 */
export async function recordJobFailure(db: Queryable, job: Job, message: string, outcome: string): Promise<void> {
  const target = parseTarget(job.personId);
  if (target.kind === 'room') await recordRoomError(db, target.roomId, message);
  else await recordPersonError(db, job.personId, message);
  if (outcome === 'failed') {
    await recordError(db, {
      kind: 'job',
      code: 'JOB_FAILED',
      message: `job ${job.id} for ${target.kind} ${job.personId} failed after ${job.attempts} attempt(s): ${message}`,
      personId: job.personId,
      jobId: job.id,
    });
  }
}
