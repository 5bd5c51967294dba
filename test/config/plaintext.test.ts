import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDatabaseUrl } from '../../src/config/config';
import { isLoopbackHost, plaintextProblems } from '../../src/config/plaintext';

const local = {
  DATABASE_URL: 'postgres://kada:pw@127.0.0.1:5432/kada',
  AMQP_URL: 'amqp://guest:guest@localhost:5672',
  TP_BASE_URL: 'http://127.0.0.1:8081/tp',
  FS_BASE_URL: 'http://[::1]:8082/fs',
  GRAPH_BASE_URL: 'http://localhost:8083/v1.0',
  TP_API_KEY: 'tp-secret-key',
  FS_API_KEY: 'fs-secret-key',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'azure-very-secret',
  KADA_INSTITUTION: 'uib',
};

const remote = {
  ...local,
  DATABASE_URL: 'postgres://kada:pw@db.uib.no:5432/kada?sslmode=verify-full&sslrootcert=/etc/kada/pg-ca.pem',
  AMQP_URL: 'amqps://kada:pw@broker.uib.no:5671/kada',
  TP_BASE_URL: 'https://gw-uib.intark.uh-it.no/tp',
  FS_BASE_URL: 'https://gw-uib.intark.uh-it.no/fs',
  GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
};

function problems(env: Record<string, string>): ConfigError['problems'] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('plaintext connections off the host', () => {
  it('accepts plaintext on loopback and verified TLS anywhere', () => {
    expect(problems(local)).toEqual([]);
    expect(problems(remote)).toEqual([]);
    expect(problems({ ...remote, DATABASE_URL: 'postgres://kada:pw@db.uib.no/kada?sslmode=verify-ca' })).toEqual([]);
    expect(problems({ ...remote, DATABASE_URL: 'postgres://kada@db.uib.no/kada', PGSSLMODE: 'verify-full' })).toEqual(
      [],
    );
    // node-postgres' own ssl=true checks the server against Node's CAs
    expect(problems({ ...remote, DATABASE_URL: 'postgres://kada@db.uib.no/kada?ssl=true' })).toEqual([]);
    // libpq's Unix-socket form never leaves the host
    expect(problems({ ...remote, DATABASE_URL: 'postgres:///kada?host=/var/run/postgresql' })).toEqual([]);
  });

  it('refuses each plaintext variable by name, all in one message, pointing at KADA_ALLOW_PLAINTEXT', () => {
    const env = {
      ...remote,
      DATABASE_URL: 'postgres://kada:db-password@db.uib.no:5432/kada',
      AMQP_URL: 'amqp://kada:pw@broker.uib.no:5672/kada',
      TP_BASE_URL: 'http://gw-uib.intark.uh-it.no/tp',
      FS_BASE_URL: 'http://10.0.0.7/fs',
      GRAPH_BASE_URL: 'http://graph.example.org/v1.0',
      KADA_LANGUAGE: 'de',
    };
    let err: ConfigError | undefined;
    try {
      loadConfig(env);
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems.map((p) => p.variable).sort()).toEqual(
      ['AMQP_URL', 'DATABASE_URL', 'FS_BASE_URL', 'GRAPH_BASE_URL', 'KADA_LANGUAGE', 'TP_BASE_URL'].sort(),
    );
    for (const p of err!.problems.filter((q) => q.variable !== 'KADA_LANGUAGE'))
      expect(p.message).toContain('KADA_ALLOW_PLAINTEXT=true');
    expect(err!.message).toContain('DATABASE_URL connects to db.uib.no with sslmode=disable');
    expect(err!.message).not.toContain('db-password');
  });

  it('refuses the sslmodes that do not verify the server', () => {
    for (const mode of ['disable', 'allow', 'prefer', 'require', 'no-verify']) {
      const p = problems({ ...remote, DATABASE_URL: `postgres://kada@db.uib.no/kada?sslmode=${mode}` });
      expect(
        p.map((x) => x.variable),
        mode,
      ).toEqual(['DATABASE_URL']);
      expect(p[0]!.message).toContain(`sslmode=${mode}`);
    }
    expect(problems({ ...remote, DATABASE_URL: 'postgres://kada@db.uib.no/kada', PGSSLMODE: 'require' })).toHaveLength(
      1,
    );
  });

  it('rejects an sslmode neither libpq nor node-postgres knows', () => {
    expect(problems({ ...local, DATABASE_URL: 'postgres://kada@127.0.0.1/kada?sslmode=verify' })).toEqual([
      { variable: 'DATABASE_URL', message: expect.stringContaining('sslmode must be one of') },
    ]);
    expect(problems({ ...local, PGSSLMODE: 'on' }).map((p) => p.variable)).toEqual(['PGSSLMODE']);
  });

  it('KADA_ALLOW_PLAINTEXT=true accepts them, and only the exact value true does', () => {
    const env = { ...remote, DATABASE_URL: 'postgres://kada@db.uib.no/kada', AMQP_URL: 'amqp://broker.uib.no' };
    expect(problems({ ...env, KADA_ALLOW_PLAINTEXT: 'true' })).toEqual([]);
    expect(problems({ ...env, KADA_ALLOW_PLAINTEXT: 'yes' }).map((p) => p.variable)).toContain('KADA_ALLOW_PLAINTEXT');
  });

  it('checks DATABASE_URL alone for migrate', () => {
    expect(() => loadDatabaseUrl({ DATABASE_URL: 'postgres://kada@db.uib.no/kada' })).toThrow(
      /DATABASE_URL connects to db.uib.no.*KADA_ALLOW_PLAINTEXT=true/,
    );
    expect(loadDatabaseUrl({ DATABASE_URL: 'postgres://kada@db.uib.no/kada', KADA_ALLOW_PLAINTEXT: 'true' })).toBe(
      'postgres://kada@db.uib.no/kada',
    );
    expect(() =>
      loadDatabaseUrl({ DATABASE_URL: 'postgres://kada@db.uib.no/kada', AMQP_URL: 'amqp://x.example.org' }),
    ).toThrow(/DATABASE_URL/);
  });

  it('knows loopback from the network', () => {
    for (const h of ['localhost', '127.0.0.1', '127.8.9.1', '[::1]', '::1', 'db.localhost', '/tmp/pg'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['10.0.0.1', 'db.uib.no', '128.0.0.1', '::2', 'localhost.example.org'])
      expect(isLoopbackHost(h), h).toBe(false);
    expect(plaintextProblems({ TP_BASE_URL: 'http://127.0.0.1:1/tp' })).toEqual([]);
  });
});
