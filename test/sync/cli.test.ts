import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_PROP } from '../../src/domain/markers';
import { startHarness, type Harness } from '../../testkit/support/harness';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** `kada rebuild` and `kada diff` as an operator runs them: the built CLI, in its own process. */
describe('kada rebuild / diff', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: 11, students: 40, noContext: true });
  });
  afterAll(async () => h?.close());

  const kada = (...args: string[]) => run('node', [cli, ...args], { env: { ...process.env, ...h.env } });
  const fail = (...args: string[]) =>
    kada(...args).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('diff shows the creates, rebuild writes them, then diff shows nothing to do', async () => {
    const student = h.institution.students().find((s) => s.epost)!;
    const diff1 = JSON.parse((await kada('diff', student.brukernavn, '--json')).stdout);
    expect(diff1.personId).toBe(student.personlopenummer);
    const expected = h.institution.timetableOf(student.personlopenummer, '26h').length;
    expect(diff1.planned).toEqual({ creates: expected, updates: 0, deletes: 0 });
    expect(diff1.changes[0]).toMatchObject({ kind: 'create', mailbox: student.epost });
    expect(h.microsoft.graph.events(student.epost!)).toHaveLength(0); // dry run wrote nothing

    const rebuilt = JSON.parse((await kada('rebuild', student.epost!, '--json')).stdout);
    expect(rebuilt).toMatchObject({ personId: student.personlopenummer, state: 'done' });
    expect(rebuilt.result.written.creates).toBe(expected);
    expect(
      h.microsoft.graph.events(student.epost!).filter((e) => e.extendedProperties[OWNER_PROP] === 'uio'),
    ).toHaveLength(expected);

    const text = (await kada('diff', student.personlopenummer)).stdout;
    expect(text).toContain('0 to create, 0 to update, 0 to delete');
    // Each is an audit entry of the operator who ran it (service.md), whatever name they typed.
    const audit = await h.db.dataSource.query(
      `SELECT actor, action, outcome FROM audit_log WHERE person = $1 ORDER BY id`,
      [student.personlopenummer],
    );
    expect(audit.map((a: { action: string; outcome: string }) => `${a.action} ${a.outcome}`)).toEqual([
      'diff ok',
      'rebuild ok',
      'diff ok',
    ]);
    expect(audit[0].actor).toMatch(/^cli:.+/);
  });

  it('rebuild repairs an event the user deleted (forced rebuild reads Graph back)', async () => {
    const student = h.institution.students().filter((s) => s.epost)[1]!;
    await kada('rebuild', student.personlopenummer, '--json');
    const events = h.microsoft.graph.events(student.epost!);
    h.microsoft.graph.userDelete(student.epost!, events[0]!.id);
    const out = JSON.parse((await kada('rebuild', student.personlopenummer, '--json')).stdout);
    expect(out.result.written).toEqual({ creates: 1, updates: 0, deletes: 0 });
    expect(h.microsoft.graph.events(student.epost!)).toHaveLength(events.length);
  });

  it('exits 1 for an unknown person and 2 for bad usage', async () => {
    const unknown = await fail('rebuild', 'nobody-by-this-name');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown person: nobody-by-this-name');
    expect((await fail('rebuild')).code).toBe(2);
    expect((await fail('reconcile')).code).toBe(2);
  });
});
