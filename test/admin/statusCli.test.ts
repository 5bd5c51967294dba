import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { enqueuePerson } from '../../src/jobs/enqueue';
import { PRIORITY } from '../../src/jobs/types';
import { recordError } from '../../src/store/errors';
import { recordSyncOutcome, upsertPerson } from '../../src/store/persons';
import { createTestDatabase, type TestDatabase } from '../../testkit/support/db';

let db: TestDatabase;
let savedUrl: string | undefined;

/** Runs `kada <args>` in-process and captures what it prints. */
async function kada(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  savedUrl = process.env.DATABASE_URL;
  process.env.DATABASE_URL = db.url;
  const ds = db.dataSource;
  await upsertPerson(
    ds,
    { personId: '1001', firstName: 'Kari', lastName: 'Nordmann', username: 'karin', email: 'kari.nordmann@uio.no' },
    'kari.nordmann@uio.no',
    'active',
  );
  await recordSyncOutcome(ds, '1001', { eventCount: 2, error: null });
  await ds.query(
    `INSERT INTO synced_events (person_id, event_key, mailbox, graph_event_id, content_hash, semester, course_id,
       course_version)
     VALUES ('1001', 'k1', 'kari.nordmann@uio.no', 'g1', 'h', '26h', 'IN1000', '1'), ('1001', 'k2',
       'kari.nordmann@uio.no', 'g2', 'h', '26h', 'IN1010', '1')`,
  );
  await enqueuePerson(ds, '1001', { priority: PRIORITY.forced, force: true, reason: 'test rebuild' });
  await enqueuePerson(ds, '1002', { reason: 'fs change' });
  await ds.query(
    `INSERT INTO inbox (notification_id, format, body, received_at) VALUES ('n1', 'fs', '{}', now() - interval
       '42 seconds')`,
  );
  await recordError(ds, {
    kind: 'dead_letter',
    code: 'NOTIFICATION_UNPARSABLE',
    message: 'not JSON',
    notificationId: 'x',
  });
  await recordError(ds, {
    kind: 'person',
    code: 'PERSON_NO_MAILBOX',
    message: 'person 1001 had no mailbox',
    personId: '1001',
  });
});
afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await db?.drop();
});

describe('kada status', () => {
  it('prints queue depths, inbox lag, dead letters, last sync and recent errors', async () => {
    const r = await kada('status');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^jobs +queued 2 .*running 0, failed 0, done 0$/m);
    expect(r.out).toMatch(/^ +by priority rebuild 1, near change 0, change 1, fill 0, later weeks 0$/m);
    expect(r.out).toMatch(/^inbox +pending 1, lag 4\d s, failed 0$/m);
    expect(r.out).toMatch(/^dead letters +1 \(1 in the last 24 h\)$/m);
    expect(r.out).toMatch(/^last sync +\d{4}-\d\d-\d\dT/m);
    expect(r.out).toContain('PERSON_NO_MAILBOX person 1001: person 1001 had no mailbox');
  });

  it('gives the same as JSON with --json', async () => {
    const r = await kada('status', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.queue).toMatchObject({ queued: 2, running: 0 });
    expect(s.queue.byPriority).toEqual({ rebuild: 1, nearChange: 0, change: 1, fill: 0, fillRest: 0 });
    expect(s.inbox.pending).toBe(1);
    expect(s.deadLetters.total).toBe(1);
    expect(s.errors.last24h).toEqual({ dead_letter: 1, person: 1 });
    expect(s.recentErrors.map((e: { code: string }) => e.code)).toEqual([
      'PERSON_NO_MAILBOX',
      'NOTIFICATION_UNPARSABLE',
    ]);
    expect(s.graph).toBeNull(); // no Graph writer in a CLI process
  });

  it("shows one person's state, found by number, username or e-mail", async () => {
    for (const q of ['1001', 'karin', 'KARI.NORDMANN@uio.no']) {
      const r = await kada('status', q);
      expect(r.code, q).toBe(0);
      expect(r.out).toMatch(/^person +1001 Kari Nordmann \(karin\)$/m);
      expect(r.out).toMatch(/^events +2 in 26h:IN1000,1, 26h:IN1010,1$/m);
      expect(r.out).toMatch(/^\s+\d+ queued .*test rebuild$/m);
    }
    const j = JSON.parse((await kada('status', 'karin', '--json')).out);
    expect(j).toMatchObject({
      personId: '1001',
      mailbox: 'kari.nordmann@uio.no',
      status: 'active',
      eventCount: 2,
      optedOut: false,
    });
    expect(j.recentJobs[0]).toMatchObject({ state: 'queued', force: true });
    expect(j.recentErrors[0].code).toBe('PERSON_NO_MAILBOX');
  });

  it('shows a person kada only has a job for, by number', async () => {
    const r = await kada('status', '1002', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ personId: '1002', status: 'unknown', eventCount: 0 });
  });

  it('exits 1 with a clear message for an unknown person', async () => {
    const r = await kada('status', 'nobody');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/unknown person: nobody/);
  });
});
