import { isIP } from 'node:net';

/**
 * Which configured connections would carry data unencrypted or unverified across a network. Pure:
 * the config loader turns every finding into a problem naming its variable, unless the operator
 * set KADA_ALLOW_PLAINTEXT=true. Loopback (and a PostgreSQL Unix socket) never leaves the host.
 */

/** libpq's modes, plus node-postgres' own `no-verify`; only verify-ca and verify-full check the server. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
export type SslMode = (typeof SSL_MODES)[number];
const VERIFYING: readonly SslMode[] = ['verify-ca', 'verify-full'];

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === '' || h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h.startsWith('/')) return true; // a Unix socket directory
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '::ffff:127.0.0.1';
}

/** The host a PostgreSQL URL connects to; `?host=` (libpq's form for a Unix socket) wins over the authority. */
export function postgresHost(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return u.searchParams.get('host') ?? decodeURIComponent(u.hostname);
}

/**
 * The effective sslmode: the URL's, else node-postgres' `ssl=true` (TLS checked against Node's CAs and
 * the host name: verify-full), else PGSSLMODE, else `disable` (node-postgres' default: no TLS).
 */
export function effectiveSslMode(databaseUrl: string, env: { PGSSLMODE?: string }): string {
  const q = new URL(databaseUrl).searchParams;
  const pgSsl = q.get('ssl') === 'true' || q.get('ssl') === '1' ? 'verify-full' : null;
  return q.get('sslmode') ?? pgSsl ?? env.PGSSLMODE ?? 'disable';
}

export interface PlaintextInputs {
  DATABASE_URL?: string;
  AMQP_URL?: string;
  TP_BASE_URL?: string;
  FS_BASE_URL?: string;
  GRAPH_BASE_URL?: string;
  PGSSLMODE?: string;
  ADMIN_OIDC_ISSUER?: string;
  ADMIN_OIDC_REDIRECT_URI?: string;
}

const ALLOW = 'or set KADA_ALLOW_PLAINTEXT=true to accept it';

/** One problem per variable whose connection would leave the host without verified TLS. */
export function plaintextProblems(env: PlaintextInputs): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (env.DATABASE_URL) {
    const host = postgresHost(env.DATABASE_URL);
    const mode = effectiveSslMode(env.DATABASE_URL, env);
    if (!isLoopbackHost(host) && !VERIFYING.includes(mode as SslMode)) {
      problems.push({
        variable: 'DATABASE_URL',
        message:
          `connects to ${host} with sslmode=${mode}, which does not verify the server: ` +
          `use sslmode=verify-full (CA in sslrootcert or PGSSLROOTCERT) ${ALLOW}`,
      });
    }
  }
  const plainUrls: [keyof PlaintextInputs, string, string][] = [
    ['AMQP_URL', 'amqp:', 'amqps:'],
    ['TP_BASE_URL', 'http:', 'https:'],
    ['FS_BASE_URL', 'http:', 'https:'],
    ['GRAPH_BASE_URL', 'http:', 'https:'],
    // Tokens and keys of the admin sign-in, and the browser's way back with its authorization code.
    ['ADMIN_OIDC_ISSUER', 'http:', 'https:'],
    ['ADMIN_OIDC_REDIRECT_URI', 'http:', 'https:'],
  ];
  for (const [variable, plain, secure] of plainUrls) {
    const value = env[variable];
    if (!value) continue;
    const u = new URL(value);
    if (u.protocol === plain && !isLoopbackHost(u.hostname)) {
      problems.push({
        variable,
        message: `connects to ${u.hostname} without TLS: use ${secure}// ${ALLOW}`,
      });
    }
  }
  return problems;
}
