import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimPerson, PersonBusyError } from '../../src/erasure/personClaim';
import { takeJob } from '../../src/jobs/takeJob';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

/** While a person is forgotten no worker may sync them, and a forget waits for a sync already running. */
describe('claimPerson', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db?.drop());

  it('holds the running slot against workers, and waits for (or gives up on) a running sync', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    await q(
      `INSERT INTO jobs (person_id, state, locked_by, locked_until)
       VALUES ('7', 'running', 'w', now() + interval '1 minute')`,
    );
    await expect(claimPerson(db.dataSource, '7', 'forget-a', { waitMs: 300, pollMs: 50 })).rejects.toBeInstanceOf(
      PersonBusyError,
    );

    const waiting = claimPerson(db.dataSource, '7', 'forget-b', { waitMs: 5_000, pollMs: 50 });
    setTimeout(() => void q(`UPDATE jobs SET state = 'done', locked_by = NULL WHERE person_id = '7'`), 200);
    const claim = await waiting;
    claim.stopBeat();

    // A queued sync of the person is not taken while the claim holds.
    await q(`INSERT INTO jobs (person_id) VALUES ('7')`);
    expect(await takeJob(db.dataSource, 'worker-1', 30_000)).toBeNull();
    await claim.fail('forget: Graph unavailable');
    expect((await q(`SELECT state, last_error FROM jobs WHERE id = $1`, [claim.jobId]))[0]).toEqual({
      state: 'failed',
      last_error: 'forget: Graph unavailable',
    });
    expect((await takeJob(db.dataSource, 'worker-1', 30_000))?.personId).toBe('7');
  });
});
