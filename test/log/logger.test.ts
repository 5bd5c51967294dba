import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger';
import { pseudonym } from '../../src/log/pseudonym';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines with the ids given to a child; at info the person is a keyed hash', () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream, pseudonymKey: 'test-key-0123456789' });
    log.child({ personId: '56154', jobId: '7' }).info('person synced');
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 'info', jobId: '7', msg: 'person synced' });
    expect(entry.person).toBe(pseudonym('test-key-0123456789', '56154'));
    expect(entry.personId).toBeUndefined();
  });

  it('replaces configured secret values wherever they appear', () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream, secrets: ['s3cr3t-client-value'] });
    log.warn(
      { detail: 'token s3cr3t-client-value leaked', headers: { authorization: 'Bearer abc' } },
      'oops s3cr3t-client-value',
    );
    expect(lines.join('')).not.toContain('s3cr3t-client-value');
    expect(lines.join('')).not.toContain('Bearer abc');
    expect(lines.join('')).toContain('[redacted]');
  });
});
