import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig, secretValues } from '../../src/config/config';

const valid = {
  DATABASE_URL: 'postgres://kada@localhost:5432/kada',
  AMQP_URL: 'amqp://localhost:5672',
  TP_BASE_URL: 'https://tp.example.org',
  TP_API_KEY: 'k',
  FS_BASE_URL: 'https://fs.example.org',
  FS_API_KEY: 'k',
  AZURE_TENANT_ID: 't',
  AZURE_CLIENT_ID: 'c',
  AZURE_CLIENT_SECRET: 's',
  KADA_INSTITUTION: 'uio',
};
const ISSUER = 'https://login.microsoftonline.com/tenant/v2.0';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig({ ...valid, ...env });
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
};

describe('ADMIN_OIDC_* (service.md)', () => {
  it('is off without an issuer, and the audience defaults to the client id', () => {
    expect(loadConfig(valid).adminOidc).toBeUndefined();
    const c = loadConfig({ ...valid, ADMIN_OIDC_ISSUER: ISSUER, ADMIN_OIDC_CLIENT_ID: 'app-id' });
    expect(c.adminOidc).toEqual({
      issuer: ISSUER,
      clientId: 'app-id',
      audience: ['app-id'],
      rolesClaim: 'roles',
      clientSecret: undefined,
      scopes: 'openid profile',
      redirectUri: 'http://localhost:8080/auth/callback',
    });
  });

  it('takes a comma-separated audience list and another roles claim', () => {
    const c = loadConfig({
      ...valid,
      ADMIN_OIDC_ISSUER: 'https://auth.dataporten.no',
      ADMIN_OIDC_CLIENT_ID: 'feide-client',
      ADMIN_OIDC_AUDIENCE: 'app-id, api://app-id',
      ADMIN_OIDC_ROLES_CLAIM: 'groups',
    });
    expect(c.adminOidc?.audience).toEqual(['app-id', 'api://app-id']);
    expect(c.adminOidc?.rolesClaim).toBe('groups');
  });

  it('names the client id as missing, a plaintext issuer off the host, and scopes without openid', () => {
    expect(problems({ ADMIN_OIDC_ISSUER: ISSUER })).toContainEqual({
      variable: 'ADMIN_OIDC_CLIENT_ID',
      message: 'is required with ADMIN_OIDC_ISSUER',
    });
    expect(
      problems({ ADMIN_OIDC_ISSUER: 'http://idp.example.org', ADMIN_OIDC_CLIENT_ID: 'x' }).map((p) => p.variable),
    ).toEqual(['ADMIN_OIDC_ISSUER']);
    expect(
      problems({ ADMIN_OIDC_ISSUER: ISSUER, ADMIN_OIDC_CLIENT_ID: 'x', ADMIN_OIDC_SCOPES: 'profile' }).map(
        (p) => p.variable,
      ),
    ).toEqual(['ADMIN_OIDC_SCOPES']);
    expect(
      problems({ ADMIN_OIDC_ISSUER: ISSUER, ADMIN_OIDC_CLIENT_ID: 'x', ADMIN_OIDC_ROLES_CLAIM: 'a b' }),
    ).toHaveLength(1);
  });

  it('treats the client secret as a secret', () => {
    expect(secretValues({ ADMIN_OIDC_CLIENT_SECRET: 'feide-secret-value' })).toContain('feide-secret-value');
  });
});
