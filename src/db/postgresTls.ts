import { readFileSync } from 'node:fs';
import { effectiveSslMode } from '../config/plaintext';

/**
 * How kada connects to PostgreSQL, with libpq's meaning of `sslmode`. node-postgres reads the ssl
 * parameters of a connection string itself, lets them override an explicit `ssl` option, treats
 * `require` as `verify-full` in one version and not another, and ignores PGSSLROOTCERT. So kada
 * takes them out of the URL and builds the TLS options here:
 * - `disable`, `allow`, `prefer` (node-postgres cannot fall back): no TLS;
 * - `require`, `no-verify`: encrypted, server not checked (with a CA file, as libpq: `verify-ca`);
 * - `verify-ca`: the certificate chain must end in the CA; `verify-full`: and name the host.
 * The CA comes from `sslrootcert` in the URL, else PGSSLROOTCERT, else Node's own list (plus
 * NODE_EXTRA_CA_CERTS); `sslrootcert=system` means Node's list. `sslcert`/`sslkey` give a client
 * certificate. Files are read when a pool is made, so a rotated CA is picked up on restart.
 */

const SSL_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'ssl', 'sslnegotiation'];

export interface PgConnection {
  /** The URL without its ssl parameters: what node-postgres gets, so it cannot override `ssl`. */
  connectionString: string;
  ssl: false | PgTls;
}

/** The TLS options kada sets: a subset that node-postgres' and TypeORM's types both accept. */
export interface PgTls {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  checkServerIdentity?: () => undefined;
}

export function postgresConnection(
  databaseUrl: string,
  env: Record<string, string | undefined> = process.env,
): PgConnection {
  const u = new URL(databaseUrl);
  const param = (name: string) => u.searchParams.get(name) ?? undefined;
  const mode = effectiveSslMode(databaseUrl, env);
  const rootCert = param('sslrootcert') ?? env.PGSSLROOTCERT;
  const cert = param('sslcert') ?? env.PGSSLCERT;
  const key = param('sslkey') ?? env.PGSSLKEY;
  for (const p of SSL_PARAMS) u.searchParams.delete(p);
  const connectionString = u.toString();
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return { connectionString, ssl: false };

  const ssl: PgTls = { rejectUnauthorized: false };
  const caFile = rootCert && rootCert !== 'system' ? rootCert : undefined;
  if (caFile) ssl.ca = readPem(caFile, 'sslrootcert');
  if (cert) ssl.cert = readPem(cert, 'sslcert');
  if (key) ssl.key = readPem(key, 'sslkey');
  const verify = mode === 'verify-full' || mode === 'verify-ca' || (mode === 'require' && !!caFile);
  ssl.rejectUnauthorized = verify;
  // Node checks the host name unless told not to; verify-ca (and libpq's require + CA) checks the chain only.
  if (verify && mode !== 'verify-full') ssl.checkServerIdentity = () => undefined;
  return { connectionString, ssl };
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = new Error(`cannot read the PostgreSQL ${what} file ${file}: ${(err as Error).message}`) as Error & {
      code: string;
    };
    e.code = 'DATABASE_TLS_FILE';
    throw e;
  }
}
