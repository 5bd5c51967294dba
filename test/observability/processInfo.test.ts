import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config';
import { createMetrics } from '../../src/observability/metrics';
import { credentialExpiry, kadaVersion, setProcessInfo } from '../../src/observability/processInfo';
import { createClientCertificate } from '../../testkit/graph/certs';
import { loadConfig } from '../../src/config/config';

/** kada_build_info and the Azure credential's expiry. */

const graph = (over: Partial<Config['graph']>): Config['graph'] => ({
  baseUrl: 'https://graph.example',
  authorityHost: 'https://login.example',
  tenantId: 't',
  clientId: 'c',
  concurrency: 4,
  concurrencyScope: 'app',
  timeoutMs: 1_000,
  ...over,
});

describe('credential expiry', () => {
  it("is the certificate's notAfter when kada signs in with a certificate", () => {
    const cert = createClientCertificate('kada-client', 30);
    const expiry = credentialExpiry(graph({ clientCertificatePath: '/cert.pem' }), () => cert.pem);
    expect(expiry).toEqual({ kind: 'certificate', expiresAt: new Date(new X509Certificate(cert.certPem).validTo) });
    const days = (expiry!.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(28);
    expect(days).toBeLessThan(31);
  });

  it('is the configured date for a client secret, which wins over a certificate as it does for sign-in', () => {
    const cfg = loadConfig({
      DATABASE_URL: 'postgres://localhost/kada',
      AMQP_URL: 'amqp://localhost',
      TP_BASE_URL: 'https://tp.example',
      TP_API_KEY: 'k',
      FS_BASE_URL: 'https://fs.example',
      FS_API_KEY: 'k',
      AZURE_TENANT_ID: 't',
      AZURE_CLIENT_ID: 'c',
      AZURE_CLIENT_SECRET: 'secret-value',
      AZURE_CLIENT_SECRET_EXPIRES: '2027-06-30',
      AZURE_CLIENT_CERTIFICATE_PATH: '/cert.pem',
      KADA_INSTITUTION: 'uio',
    });
    const unread = () => {
      throw new Error('the certificate is not the credential in use');
    };
    expect(credentialExpiry(cfg.graph, unread)).toEqual({ kind: 'secret', expiresAt: new Date('2027-06-30') });
    expect(credentialExpiry(graph({ clientSecret: 's' }), unread), 'a secret without a date').toBeNull();
  });

  it('is unknown (no sample) when the certificate cannot be read', async () => {
    const missing = () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(credentialExpiry(graph({ clientCertificatePath: '/nope.pem' }), missing)).toBeNull();
    const metrics = createMetrics();
    setProcessInfo(metrics, { graph: graph({ clientSecret: 's' }) } as Config);
    expect((await metrics.registry.getSingleMetric('kada_credential_expiry_timestamp_seconds')!.get()).values).toEqual(
      [],
    );
  });
});

describe('build info', () => {
  it("names kada's version from package.json and the Node.js release", async () => {
    const metrics = createMetrics();
    setProcessInfo(metrics, { graph: graph({ clientSecret: 's', clientSecretExpires: new Date(0) }) } as Config);
    const info = await metrics.registry.getSingleMetric('kada_build_info')!.get();
    expect(info.values).toEqual([{ labels: { version: kadaVersion(), node: process.version }, value: 1 }]);
    expect(kadaVersion()).toMatch(/^\d+\.\d+\.\d+/);
    const expiry = await metrics.registry.getSingleMetric('kada_credential_expiry_timestamp_seconds')!.get();
    expect(expiry.values).toEqual([{ labels: { kind: 'secret' }, value: 0 }]);
  });
});
