import { describe, expect, it } from 'vitest';
import { postgresConnection } from '../../src/db/postgresTls';

/** The TLS options kada gives node-postgres for each sslmode (the servers themselves: test/transport/tls.test.ts). */
describe('postgresConnection', () => {
  const url = 'postgres://kada:pw@db.uib.no:5432/kada';
  const ca = __filename; // any readable file stands in for a PEM here

  it('takes the ssl parameters out of the URL so node-postgres cannot override them', () => {
    const c = postgresConnection(`${url}?sslmode=verify-full&sslrootcert=${ca}&application_name=x`, {});
    expect(c.connectionString).toBe(`${url}?application_name=x`);
    expect(c.ssl).toMatchObject({ rejectUnauthorized: true });
    expect(c.ssl && c.ssl.checkServerIdentity).toBeUndefined();
    expect(c.ssl && c.ssl.ca).toContain('postgresConnection');
  });

  it('gives each sslmode its libpq meaning', () => {
    expect(postgresConnection(url, {}).ssl).toBe(false);
    for (const mode of ['disable', 'allow', 'prefer'])
      expect(postgresConnection(`${url}?sslmode=${mode}`, {}).ssl).toBe(false);
    expect(postgresConnection(`${url}?sslmode=require`, {}).ssl).toEqual({ rejectUnauthorized: false });
    const requireWithCa = postgresConnection(`${url}?sslmode=require`, { PGSSLROOTCERT: ca }).ssl;
    expect(requireWithCa).toMatchObject({ rejectUnauthorized: true, checkServerIdentity: expect.any(Function) });
    const verifyCa = postgresConnection(`${url}?sslmode=verify-ca&sslrootcert=${ca}`, {}).ssl;
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, checkServerIdentity: expect.any(Function) });
    expect(postgresConnection(`${url}?sslmode=verify-full&sslrootcert=system`, {}).ssl).toEqual({
      rejectUnauthorized: true,
    });
    expect(postgresConnection(`${url}?ssl=true`, {}).ssl).toEqual({ rejectUnauthorized: true });
    expect(postgresConnection(url, { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca }).ssl).toMatchObject({
      rejectUnauthorized: true,
    });
  });

  it('names a CA file it cannot read', () => {
    expect(() => postgresConnection(`${url}?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem`, {})).toThrow(
      /sslrootcert file \/nonexistent\/ca.pem/,
    );
  });
});
