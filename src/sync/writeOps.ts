import { parseEventKey } from '../desired/eventKey';
import { fingerprint } from '../desired/fingerprint';
import type { GraphWriteResult } from '../graph/writer';
import { transactionKeyOf } from '../graph/transactionId';
import { forgetEvent, generationFloor, saveEvent } from '../store/syncedEvents';
import type { Op, SyncContext, SyncResult } from './personJob';

/** One person's writes in flight: where answers are counted, and what a re-create needs. */
export interface WriteJob {
  personId: string;
  priority: number;
  /** The calendar creates go into (null: the default calendar). */
  calendarId: string | null;
  result: SyncResult;
  progress: () => void;
}

/**
 * The first phase: every op through the shared GraphWriter, side by side, each answer recorded in
 * the state store as it comes. Two answers turn into another write: a create answered with an older
 * event of the same transactionId is brought up to date, and an update of an event the person
 * deleted creates it again.
 */
export async function writeOps(ctx: Pick<SyncContext, 'db' | 'writer'>, job: WriteJob, ops: Op[]): Promise<void> {
  const { db, writer } = ctx;
  const { personId, priority, result } = job;

  const record = async (op: Op, r: GraphWriteResult): Promise<void> => {
    if (
      r.ok &&
      op.kind === 'create' &&
      op.desired &&
      r.eventId &&
      r.event &&
      fingerprint(r.event) !== fingerprint(op.desired.content)
    ) {
      // Graph answered with the event an earlier create of this transactionId made (its record was lost
      // to a crash or a failure), as it was then: bring it up to date instead of recording it as current.
      const patch: Op = {
        kind: 'update',
        mailbox: op.mailbox,
        eventId: r.eventId,
        key: op.key,
        body: op.body,
        desired: op.desired,
      };
      return record(patch, await writer.write(patch, priority));
    }
    if (r.ok) {
      if (op.kind === 'delete') {
        if (op.key !== '(no key)') await forgetEvent(db, personId, op.key, op.eventId);
      } else {
        const parsed = parseEventKey(op.key);
        const course = op.desired?.course ?? parsed?.course;
        if (course && op.desired) {
          await saveEvent(db, personId, {
            key: op.key,
            graphEventId: r.eventId ?? (op.kind === 'update' ? op.eventId : ''),
            hash: op.desired.hash,
            mailbox: op.mailbox,
            course,
            ...(op.kind === 'create' ? { generation: op.generation ?? 0 } : {}),
          });
        }
      }
      result.written[`${op.kind}s` as 'creates' | 'updates' | 'deletes']++;
      job.progress();
      return;
    }
    if (op.kind === 'update' && r.gone && op.desired) {
      // The person deleted it in Outlook: put it back (kalenderdata's rule: fix errors at the source),
      // under a new generation: the old transactionId names the deleted event. Forgotten first, so a
      // retry of the job makes the same create.
      await forgetEvent(db, personId, op.key, op.eventId);
      const generation = await generationFloor(db, personId, op.key);
      const again: Op = {
        kind: 'create',
        mailbox: op.mailbox,
        calendarId: job.calendarId,
        key: op.key,
        body: op.body,
        desired: op.desired,
        generation,
        transactionKey: transactionKeyOf(op.key, generation),
      };
      return record(again, await writer.write(again, priority));
    }
    result.failed.push({ key: op.key, kind: op.kind, status: r.status, code: r.code, message: r.message });
    job.progress();
  };

  await Promise.all(ops.map(async (op) => record(op, await writer.write(op, priority))));
}
