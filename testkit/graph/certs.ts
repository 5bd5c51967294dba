import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/**
 * Certificates for the local HTTPS emulators: one CA that Node trusts through NODE_EXTRA_CA_CERTS
 * and a server certificate for localhost/127.0.0.1 signed by it. Made once per directory and
 * reused, because a process that already loaded the CA at start-up cannot learn a new one.
 * (node-forge is what `selfsigned` builds on; it is used directly because selfsigned cannot sign
 * a leaf with a separate CA.)
 */

export interface CertPaths {
  caPath: string;
  caKeyPath: string;
  certPath: string;
  keyPath: string;
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  /** Certificate followed by its private key, the format AZURE_CLIENT_CERTIFICATE_PATH expects. */
  pem: string;
  thumbprintSha1: string;
  thumbprintSha256: string;
}

const DAY_MS = 86_400_000;

function newRsaKey(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return { forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function serialNumber(): string {
  // Positive, non-zero serial as forge wants it (hex, high bit clear).
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, commonName: string, days: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  cert.setSubject([
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'kada local emulators' },
  ]);
  return cert;
}

function createCa(): { certPem: string; keyPem: string; cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const key = newRsaKey();
  const cert = baseCertificate(key.publicKey, 'kada local emulator CA', 3650);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.pem, cert, key: key.forgeKey };
}

function createServerCert(ca: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }): {
  certPem: string;
  keyPem: string;
} {
  const key = newRsaKey();
  const cert = baseCertificate(key.publicKey, 'localhost', 825);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.pem };
}

export function certPaths(dir: string): CertPaths {
  const abs = path.resolve(dir);
  return {
    caPath: path.join(abs, 'ca.pem'),
    caKeyPath: path.join(abs, 'ca-key.pem'),
    certPath: path.join(abs, 'cert.pem'),
    keyPath: path.join(abs, 'key.pem'),
  };
}

function usable(p: CertPaths): boolean {
  try {
    for (const f of [p.caPath, p.caKeyPath, p.certPath, p.keyPath]) if (!fs.statSync(f).isFile()) return false;
    const server = new X509Certificate(fs.readFileSync(p.certPath));
    const ca = new X509Certificate(fs.readFileSync(p.caPath));
    const soon = Date.now() + DAY_MS;
    return (
      server.checkIssued(ca) &&
      server.verify(ca.publicKey) &&
      Date.parse(server.validTo) > soon &&
      Date.parse(ca.validTo) > soon
    );
  } catch {
    return false;
  }
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Creates `ca.pem`, `ca-key.pem`, `cert.pem` and `key.pem` in `dir` unless a valid set is already
 * there. Safe to call from several processes at once (test workers): one makes them, the others wait.
 */
export function ensureCerts(dir: string): CertPaths {
  const paths = certPaths(dir);
  if (usable(paths)) return paths;
  fs.mkdirSync(path.dirname(paths.caPath), { recursive: true });
  const lock = path.join(path.dirname(paths.caPath), '.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (usable(paths)) return paths;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 30_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        /* another process removed it first */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} while creating emulator certificates`);
      sleepSync(100);
    }
  }
  try {
    if (usable(paths)) return paths;
    const ca = createCa();
    const server = createServerCert(ca);
    const write = (file: string, content: string, mode: number) => {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, content, { mode });
      fs.renameSync(tmp, file);
    };
    write(paths.caKeyPath, ca.keyPem, 0o600);
    write(paths.keyPath, server.keyPem, 0o600);
    write(paths.certPath, server.certPem, 0o644);
    write(paths.caPath, ca.certPem, 0o644);
    return paths;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** The server certificate and key of `ensureCerts(dir)`, for `https.createServer`. */
export function serverTlsOptions(dir: string): { cert: string; key: string } {
  const p = ensureCerts(dir);
  return { cert: fs.readFileSync(p.certPath, 'utf8'), key: fs.readFileSync(p.keyPath, 'utf8') };
}

/**
 * Where the emulators find their certificates: the directory of NODE_EXTRA_CA_CERTS when set (so
 * the server certificate matches the CA this process trusts), otherwise `.tmp/certs`.
 */
export function defaultCertDir(): string {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  // Only a CA made by ensureCerts (named ca.pem) marks the directory; never write next to some other bundle.
  return ca && path.basename(ca) === 'ca.pem' ? path.dirname(path.resolve(ca)) : path.resolve('.tmp/certs');
}

/** SHA-1 and SHA-256 thumbprints (upper-case hex) of a PEM certificate, as Azure shows them. */
export function certificateThumbprints(certPem: string): { sha1: string; sha256: string } {
  const der = new X509Certificate(certPem).raw;
  return {
    sha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    sha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
  };
}

/** A self-signed application certificate, like one uploaded to an Entra app registration. */
export function createClientCertificate(commonName = 'kada-client', days = 365): ClientCertificate {
  const key = newRsaKey();
  const cert = baseCertificate(key.publicKey, commonName, days);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const keyPem = key.pem;
  const { sha1, sha256 } = certificateThumbprints(certPem);
  return {
    certPem,
    keyPem,
    pem: `${certPem.trim()}\n${keyPem.trim()}\n`,
    thumbprintSha1: sha1,
    thumbprintSha256: sha256,
  };
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npx tsx testkit/graph/certs.ts <dir>\n');
    process.exit(2);
  }
  process.stdout.write(`${ensureCerts(dir).caPath}\n`);
}
