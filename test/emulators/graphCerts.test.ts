import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClientCertificate, ensureCerts } from '../../testkit/graph/certs';

const CA = process.env.NODE_EXTRA_CA_CERTS;
if (!CA || !fs.existsSync(CA)) {
  throw new Error(
    'NODE_EXTRA_CA_CERTS must point at the emulator CA before the test process starts. Run: ' +
      'npx tsx testkit/graph/certs.ts .tmp/certs && NODE_EXTRA_CA_CERTS=$PWD/.tmp/certs/ca.pem npx vitest run ' +
      'test/emulators (or npm test)',
  );
}

describe('emulator certificates', () => {
  it('makes a CA and a localhost server certificate it signed, once per directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kada-certs-'));
    try {
      const p = ensureCerts(dir);
      const ca = new X509Certificate(fs.readFileSync(p.caPath));
      const server = new X509Certificate(fs.readFileSync(p.certPath));
      expect(ca.ca).toBe(true);
      expect(server.ca).toBe(false);
      expect(server.checkIssued(ca)).toBe(true);
      expect(server.verify(ca.publicKey)).toBe(true);
      expect(server.checkHost('localhost')).toBe('localhost');
      expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
      const before = fs.readFileSync(p.caPath, 'utf8');
      ensureCerts(dir);
      expect(fs.readFileSync(p.caPath, 'utf8')).toBe(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the certificates this process trusts are the ones the emulators serve', () => {
    const p = ensureCerts(path.dirname(CA));
    expect(path.resolve(p.caPath)).toBe(path.resolve(CA));
    const server = new X509Certificate(fs.readFileSync(p.certPath));
    expect(server.verify(new X509Certificate(fs.readFileSync(CA)).publicKey)).toBe(true);
  });

  it('client certificates carry their key and the thumbprints Entra shows', () => {
    const c = createClientCertificate('kada-uio');
    expect(c.pem).toContain('-----BEGIN CERTIFICATE-----');
    expect(c.pem).toMatch(/-----BEGIN (RSA )?PRIVATE KEY-----/);
    expect(c.thumbprintSha256).toMatch(/^[0-9A-F]{64}$/);
    expect(c.thumbprintSha1).toMatch(/^[0-9A-F]{40}$/);
    expect(new X509Certificate(c.certPem).subject).toContain('CN=kada-uio');
  });

  it('run as a script, it prints the CA path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kada-certs-cli-'));
    try {
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', path.resolve(__dirname, '../../testkit/graph/certs.ts'), dir],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toBe(path.join(dir, 'ca.pem'));
      expect(fs.existsSync(path.join(dir, 'cert.pem'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
