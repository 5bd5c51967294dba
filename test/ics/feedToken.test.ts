import { describe, expect, it } from 'vitest';
import { loadConfig, secretValues } from '../../src/config/config';
import { icsTokenKey, newNonce, TOKEN_PATTERN, tokenHash, tokenMatches, tokenOf } from '../../src/ics/feedToken';

const env = {
  DATABASE_URL: 'postgres://kada@127.0.0.1:5432/kada',
  AMQP_URL: 'amqp://127.0.0.1:5672',
  TP_BASE_URL: 'http://127.0.0.1:9/tp',
  TP_API_KEY: 'tp-key-0123456789',
  FS_BASE_URL: 'http://127.0.0.1:9/fs',
  FS_API_KEY: 'fs-key-0123456789',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'secret-0123456789',
  KADA_INSTITUTION: 'uio',
};

describe('feed tokens', () => {
  it('are 256-bit base64url, the same again from the same nonce and key, different for another nonce or key', () => {
    const nonce = newNonce();
    const t = tokenOf('key-one-0123456789', nonce);
    expect(t).toMatch(TOKEN_PATTERN);
    expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    expect(tokenOf('key-one-0123456789', nonce)).toBe(t);
    expect(tokenOf('key-one-0123456789', newNonce())).not.toBe(t);
    expect(tokenOf('key-two-0123456789', nonce)).not.toBe(t);
    expect(tokenMatches(t, tokenHash(t))).toBe(true);
    expect(tokenMatches(`${t}x`, tokenHash(t))).toBe(false);
  });

  it('take KADA_ICS_KEY, or a key derived from the log key; the variable is a secret', () => {
    expect(icsTokenKey('configured-key-0123', 'log')).toBe('configured-key-0123');
    expect(icsTokenKey(undefined, 'log-a')).not.toBe(icsTokenKey(undefined, 'log-b'));
    expect(icsTokenKey(undefined, 'log-a')).not.toBe('log-a');
    expect(secretValues({ KADA_ICS_KEY: 'ics-key-0123456789' })).toContain('ics-key-0123456789');
  });
});

describe('ICS configuration', () => {
  it('defaults ICS_BASE_URL to http://localhost:<PORT> and drops a trailing slash', () => {
    expect(loadConfig({ ...env, PORT: '8123' }).ics.baseUrl).toBe('http://localhost:8123');
    expect(loadConfig({ ...env, ICS_BASE_URL: 'https://kada.uio.no/' }).ics.baseUrl).toBe('https://kada.uio.no');
    expect(() => loadConfig({ ...env, ICS_BASE_URL: 'ftp://x' })).toThrow(/ICS_BASE_URL/);
    expect(() => loadConfig({ ...env, KADA_ICS_KEY: 'short' })).toThrow(/KADA_ICS_KEY must be at least 16/);
  });
});
