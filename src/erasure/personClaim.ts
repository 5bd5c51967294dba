import { heartbeat } from '../jobs/finishJob';
import type { Queryable } from '../store/queryable';

/** Another job of the person is running and did not finish in time. */
export class PersonBusyError extends Error {
  readonly code = 'PERSON_BUSY';
}

export interface PersonClaim {
  jobId: string;
  /** Marks the claim failed (the forget did not go through); the erase itself deletes it on success. */
  fail(error: string): Promise<void>;
  stopBeat(): void;
}

const LEASE_MS = 60_000;

/**
 * Holds the person's "running job" slot while they are forgotten: the unique index on running jobs
 * keeps every worker of every replica from syncing them meanwhile (a sync could write an event
 * after it was removed). Waits for a running job of theirs to finish first.
 */
export async function claimPerson(
  db: Queryable,
  personId: string,
  owner: string,
  opts: { waitMs?: number; pollMs?: number } = {},
): Promise<PersonClaim> {
  const deadline = Date.now() + (opts.waitMs ?? 120_000);
  for (;;) {
    const jobId = await tryClaim(db, personId, owner);
    if (jobId) {
      const beat = setInterval(() => void heartbeat(db, jobId, owner, LEASE_MS).catch(() => undefined), 10_000);
      beat.unref();
      return {
        jobId,
        stopBeat: () => clearInterval(beat),
        async fail(error) {
          clearInterval(beat);
          await db.query(
            `UPDATE jobs SET state = 'failed', finished_at = now(), locked_by = NULL, locked_until = NULL,
                    last_error = $3
              WHERE id = $1 AND locked_by = $2`,
            [jobId, owner, error.slice(0, 2000)],
          );
        },
      };
    }
    if (Date.now() >= deadline)
      throw new PersonBusyError('a sync of this person is running and did not finish in time; try again');
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
  }
}

async function tryClaim(db: Queryable, personId: string, owner: string): Promise<string | null> {
  try {
    const rows = await db.query(
      `INSERT INTO jobs (person_id, state, reasons, attempts, max_attempts, locked_by, locked_until, started_at)
       VALUES ($1, 'running', ARRAY['forget'], 1, 1, $2,
               now() + make_interval(secs => $3::double precision / 1000), now())
       RETURNING id`,
      [personId, owner, LEASE_MS],
    );
    return String(rows[0].id);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') return null;
    throw err;
  }
}
