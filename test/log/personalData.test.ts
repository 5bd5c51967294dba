import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger';
import { pseudonymiseLine } from '../../src/log/personalData';
import { logKeyFrom, pseudonym } from '../../src/log/pseudonym';

const KEY = 'log-key-for-tests-123';
const ola = { personId: '56154', mailbox: 'ola.nordmann@uib.no', name: 'Ola Nordmann', username: 'onor001' };

function logger(level: string) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: createLogger({ level, destination, pseudonymKey: KEY }), lines };
}

const personal = [ola.personId, ola.mailbox, 'Ola', 'Nordmann', ola.username];

describe('personal data in logs', () => {
  it('names no one at info and above, wherever the value was put', () => {
    const { log, lines } = logger('trace');
    const job = log.child({ personId: ola.personId, jobId: '7' });
    job.info({ mailbox: ola.mailbox, events: 3 }, 'person synced');
    job.warn({ error: `Graph 404 for ${ola.mailbox} (person ${ola.personId})` }, 'job failed');
    log.error({ person: { name: ola.name, username: ola.username }, personIds: ['56154', '70001'] }, 'odd');
    job.info({ name: ola.name }, `opted out ${ola.personId}`);
    log.info({ epost: 'Kari.Nordmann@UIB.no' }, 'x');
    for (const line of lines) for (const v of personal) expect(line, line).not.toContain(v);
    const [synced, failed, odd, optedOut] = lines.map((l) => JSON.parse(l));
    expect(synced).toMatchObject({ person: pseudonym(KEY, '56154'), jobId: '7', events: 3 });
    expect(synced.mailbox).toBe(pseudonym(KEY, ola.mailbox));
    expect(failed.error).toBe(`Graph 404 for ${pseudonym(KEY, ola.mailbox)} (person ${pseudonym(KEY, '56154')})`);
    expect(odd.persons).toEqual([pseudonym(KEY, '56154'), pseudonym(KEY, '70001')]);
    expect(optedOut).toMatchObject({ name: 'kada', msg: `opted out ${pseudonym(KEY, '56154')}` });
    // the same person and mailbox give the same pseudonym in every line: lines still correlate
    expect(pseudonym(KEY, 'OLA.nordmann@uib.no')).toBe(pseudonym(KEY, ola.mailbox));
  });

  it('keeps them at debug, with the pseudonym beside them to match info lines', () => {
    const { log, lines } = logger('debug');
    log.child({ personId: ola.personId }).debug({ mailbox: ola.mailbox }, 'graph request');
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ personId: '56154', mailbox: ola.mailbox, person: pseudonym(KEY, '56154') });
  });

  it('leaves numbers that merely contain a person number, and lines without personal data, alone', () => {
    const entry = { level: 'info', name: 'kada', personId: '561', msg: 'took 15610 ms, 561 done' };
    const line = `${JSON.stringify(entry)}\n`;
    expect(JSON.parse(pseudonymiseLine(line, KEY)).msg).toBe(`took 15610 ms, ${pseudonym(KEY, '561')} done`);
    const plain = `${JSON.stringify({ level: 'info', name: 'kada', msg: 'kada is running', workers: 16 })}\n`;
    expect(pseudonymiseLine(plain, KEY)).toBe(plain);
    expect(pseudonymiseLine('not json @ all\n', KEY)).toBe('not json @ all\n');
  });

  it('uses KADA_LOG_KEY, else a key stable for the installation', () => {
    expect(logKeyFrom({ KADA_LOG_KEY: 'a-random-secret-key' })).toBe('a-random-secret-key');
    const ids = { KADA_INSTITUTION: 'uib', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' };
    expect(logKeyFrom(ids)).toBe(logKeyFrom({ ...ids }));
    expect(logKeyFrom(ids)).not.toBe(logKeyFrom({ ...ids, KADA_INSTITUTION: 'uio' }));
  });
});
