import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config';
import type { Metrics } from './metrics';

/**
 * The per-process facts behind kada_build_info and kada_credential_expiry_timestamp_seconds: known at
 * start-up, the same in every replica of one release.
 */

/** kada's version from its package.json (dist/src/observability -> the package root; tsx: src/observability). */
export function kadaVersion(from = __dirname): string {
  for (let dir = from, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'kada' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

export interface CredentialExpiry {
  kind: 'certificate' | 'secret';
  expiresAt: Date;
}

/**
 * When the Azure credential kada signs in with stops working: the client secret's expiry date when the
 * operator configured it (a secret wins over a certificate, as in src/graph/auth.ts), else the certificate's
 * notAfter; null when unknown. A certificate that cannot be read is the token provider's error to report.
 */
export function credentialExpiry(
  graph: Config['graph'],
  readFile: (p: string) => string = (p) => fs.readFileSync(p, 'utf8'),
): CredentialExpiry | null {
  if (graph.clientSecret) {
    return graph.clientSecretExpires ? { kind: 'secret', expiresAt: graph.clientSecretExpires } : null;
  }
  if (graph.clientCertificatePath) {
    try {
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(
        readFile(graph.clientCertificatePath),
      )?.[0];
      if (pem) return { kind: 'certificate', expiresAt: new Date(new X509Certificate(pem).validTo) };
    } catch {
      /* unreadable: unknown here, reported by the token provider and `kada doctor` */
    }
  }
  return null;
}

/** Sets the gauges that describe this process (at start-up: the token provider reads the certificate once, too). */
export function setProcessInfo(metrics: Metrics, config: Config): void {
  metrics.buildInfo.reset();
  metrics.buildInfo.set({ version: kadaVersion(), node: process.version }, 1);
  metrics.credentialExpiry.reset();
  const expiry = credentialExpiry(config.graph);
  if (expiry) metrics.credentialExpiry.set({ kind: expiry.kind }, Math.floor(expiry.expiresAt.getTime() / 1000));
}
