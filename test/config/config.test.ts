import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDatabaseUrl, secretValues } from '../../src/config/config';
import { currentAndNextSemesters } from '../../src/domain/semester';

const valid = {
  DATABASE_URL: 'postgres://kada:pw-db-secret@127.0.0.1:5432/kada',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  TP_BASE_URL: 'https://gw.example.org/tp',
  TP_API_KEY: 'tp-secret-key',
  FS_BASE_URL: 'https://gw.example.org/fs',
  FS_API_KEY: 'fs-secret-key',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'azure-very-secret',
  KADA_INSTITUTION: 'uio',
};

function problemsOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults of service.md', () => {
    const c = loadConfig(valid, new Date('2026-11-26T00:00:00Z'));
    expect(c.amqp.queue).toBe('kada');
    expect(c.amqp.bindings).toEqual([
      { exchange: 'ex_fs', pattern: 'no.uio.fs.#' },
      { exchange: 'ex_tp', pattern: 'no.uio.tp.#' },
    ]);
    expect(c.graph.baseUrl).toBe('https://graph.microsoft.com/v1.0');
    expect(c.graph.authorityHost).toBe('https://login.microsoftonline.com');
    expect(c.semesters).toEqual(['26h', '27v']);
    expect(c.timezone).toBe('Europe/Oslo');
    expect(c.language).toBe('nb');
    expect(c.calendar).toEqual({ mode: 'primary', name: 'Timeplan' });
    expect(c.mailbox.from).toBe('epost');
    expect(c.port).toBe(8080);
  });

  it('derives current and next semester from the date', () => {
    expect(currentAndNextSemesters(new Date('2027-03-01T00:00:00Z'))).toEqual(['27v', '27h']);
    expect(currentAndNextSemesters(new Date('2026-08-01T00:00:00Z'))).toEqual(['26h', '27v']);
  });

  it('parses bindings and semesters', () => {
    const c = loadConfig({
      ...valid,
      AMQP_BINDINGS: 'ex_fs:no.uib.fs.#, ex_tp:no.uib.tp.#',
      KADA_SEMESTERS: '26H,27v',
    });
    expect(c.amqp.bindings.map((b) => b.pattern)).toEqual(['no.uib.fs.#', 'no.uib.tp.#']);
    expect(c.semesters).toEqual(['26h', '27v']);
  });

  it('names every bad variable in one message', () => {
    const err = problemsOf({
      ...valid,
      DATABASE_URL: 'mysql://x',
      KADA_LANGUAGE: 'de',
      KADA_SEMESTERS: '2026-autumn',
      AMQP_BINDINGS: 'nocolon',
      PORT: 'eighty',
      KADA_TIMEZONE: 'Mars/Olympus',
      TP_API_KEY: '',
    });
    const vars = err.problems.map((p) => p.variable).sort();
    expect(vars).toEqual(
      [
        'AMQP_BINDINGS',
        'DATABASE_URL',
        'KADA_LANGUAGE',
        'KADA_SEMESTERS',
        'KADA_TIMEZONE',
        'PORT',
        'TP_API_KEY',
      ].sort(),
    );
    expect(err.message).toMatch(/^invalid configuration: /);
    expect(err.message).toContain('TP_API_KEY is required');
  });

  it('rejects a KADA_TIMEZONE without a Windows name, which Graph needs, with one clear message', () => {
    // Antarctica/Troll (Norway's research station) is a valid IANA zone that CLDR windowsZones does not map.
    const troll = problemsOf({ ...valid, KADA_TIMEZONE: 'Antarctica/Troll' }).problems;
    expect(troll).toEqual([
      { variable: 'KADA_TIMEZONE', message: expect.stringContaining('no Windows time-zone name') },
    ]);
    const mars = problemsOf({ ...valid, KADA_TIMEZONE: 'Mars/Olympus' }).problems;
    expect(mars).toEqual([{ variable: 'KADA_TIMEZONE', message: expect.stringContaining('IANA time zone') }]);
    for (const zone of ['Europe/Oslo', 'Europe/Kyiv', 'UTC', 'America/New_York'])
      expect(loadConfig({ ...valid, KADA_TIMEZONE: zone }).timezone).toBe(zone);
  });

  it('reads KADA_RETENTION_DAYS (default 30) and refuses what is not a whole number of days', () => {
    expect(loadConfig(valid).retentionDays).toBe(30);
    expect(loadConfig({ ...valid, KADA_RETENTION_DAYS: '90' }).retentionDays).toBe(90);
    for (const bad of ['0', '-1', 'thirty', '1.5', '99999'])
      expect(problemsOf({ ...valid, KADA_RETENTION_DAYS: bad }).problems.map((p) => p.variable)).toEqual([
        'KADA_RETENTION_DAYS',
      ]);
  });

  it('reads the operations settings: shutdown budget, metrics cache and the client secret expiry date', () => {
    const d = loadConfig(valid);
    expect([d.shutdownTimeoutMs, d.metricsCacheMs, d.graph.clientSecretExpires]).toEqual([28_000, 15_000, undefined]);
    const c = loadConfig({
      ...valid,
      KADA_SHUTDOWN_TIMEOUT_MS: '55000',
      KADA_METRICS_CACHE_MS: '0',
      AZURE_CLIENT_SECRET_EXPIRES: '2027-06-30',
    });
    expect([c.shutdownTimeoutMs, c.metricsCacheMs]).toEqual([55_000, 0]);
    expect(c.graph.clientSecretExpires).toEqual(new Date('2027-06-30T00:00:00Z'));
    expect(
      loadConfig({ ...valid, AZURE_CLIENT_SECRET_EXPIRES: '2027-06-30T12:00:00+02:00' }).graph.clientSecretExpires,
    ).toEqual(new Date('2027-06-30T10:00:00Z'));
    for (const [name, bad] of [
      ['AZURE_CLIENT_SECRET_EXPIRES', '30.06.2027'],
      ['AZURE_CLIENT_SECRET_EXPIRES', '2027-13-45'],
      ['KADA_SHUTDOWN_TIMEOUT_MS', '500'],
      ['KADA_METRICS_CACHE_MS', 'soon'],
    ] as const) {
      expect(
        problemsOf({ ...valid, [name]: bad }).problems.map((p) => p.variable),
        `${name}=${bad}`,
      ).toEqual([name]);
    }
  });

  it('requires a credential and a mail domain for username mailboxes', () => {
    const { AZURE_CLIENT_SECRET: _, ...noSecret } = valid;
    const err = problemsOf({ ...noSecret, MAILBOX_FROM: 'username' });
    expect(err.problems.map((p) => p.variable).sort()).toEqual(['AZURE_CLIENT_SECRET', 'MAIL_DOMAIN']);
    expect(
      loadConfig({ ...noSecret, AZURE_CLIENT_CERTIFICATE_PATH: '/etc/kada/cert.pem' }).graph.clientCertificatePath,
    ).toBe('/etc/kada/cert.pem');
  });

  it('never prints secret values, even when they are the invalid ones', () => {
    const err = problemsOf({
      ...valid,
      DATABASE_URL: 'not a url with pw-db-secret',
      ADMIN_TOKEN: 'short-secret',
      AUTHORITY: 'x',
    });
    for (const secret of ['pw-db-secret', 'short-secret', 'tp-secret-key', 'fs-secret-key', 'azure-very-secret']) {
      expect(err.message).not.toContain(secret);
    }
    expect(err.problems.map((p) => p.variable).sort()).toEqual(['ADMIN_TOKEN', 'DATABASE_URL']);
  });

  it('lists secrets for redaction, including the password inside URLs', () => {
    const s = secretValues(valid);
    expect(s).toContain('pw-db-secret');
    expect(s).toContain('azure-very-secret');
    expect(s).toContain('tp-secret-key');
  });

  it('validates DATABASE_URL alone for migrate', () => {
    expect(loadDatabaseUrl({ DATABASE_URL: valid.DATABASE_URL })).toBe(valid.DATABASE_URL);
    expect(() => loadDatabaseUrl({})).toThrow(/DATABASE_URL is required/);
  });
});
