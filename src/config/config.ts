import { z } from 'zod';
import { currentAndNextSemesters, isSemesterCode } from '../domain/semester';
import { windowsZoneName } from '../domain/timeZoneNames';
import { logKeyFrom } from '../log/pseudonym';
import { plaintextProblems, SSL_MODES } from './plaintext';

/**
 * One loader for every variable in shared/contracts/service.md. Everything that comes from the
 * environment is validated here once; the rest of kada trusts the typed result.
 */

const SECRET_VARS = [
  'AZURE_CLIENT_SECRET',
  'TP_API_KEY',
  'FS_API_KEY',
  'ADMIN_TOKEN',
  'DATABASE_URL',
  'AMQP_URL',
  'METRICS_TOKEN',
  'KADA_LOG_KEY',
] as const;

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL (${protocols.join(' or ')})`,
  );

/** sslmode, when given, must be one node-postgres and libpq both understand (transport is src/db/postgresTls.ts). */
const databaseUrl = url(['postgres:', 'postgresql:']).refine(
  (v) => {
    const mode = URL.canParse(v) ? new URL(v).searchParams.get('sslmode') : null;
    return mode === null || (SSL_MODES as readonly string[]).includes(mode);
  },
  `sslmode must be one of ${SSL_MODES.join(', ')}`,
);

const bindingList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^:\s]+:[^:\s]+$/, 'each binding must be exchange:routingKeyPattern'))
      .min(1, 'needs at least one binding'),
  )
  .transform((list) => list.map((b) => ({ exchange: b.split(':')[0]!, pattern: b.split(':')[1]! })));

const intFrom = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));

function schema(now: Date) {
  return z
    .object({
      DATABASE_URL: databaseUrl,
      PGSSLMODE: z.enum(SSL_MODES).optional(),
      PGSSLROOTCERT: z.string().min(1).optional(),
      AMQP_URL: url(['amqp:', 'amqps:']),
      AMQP_CA_FILE: z.string().min(1).optional(),
      KADA_ALLOW_PLAINTEXT: z.enum(['true', 'false']).default('false'),
      KADA_LOG_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
      AMQP_QUEUE: z.string().min(1).default('kada'),
      AMQP_BINDINGS: bindingList.optional(),
      AMQP_PREFETCH: intFrom(1, 1000).default(50),
      TP_BASE_URL: url(['http:', 'https:']),
      TP_API_KEY: z.string().min(1),
      FS_BASE_URL: url(['http:', 'https:']),
      FS_API_KEY: z.string().min(1),
      GRAPH_BASE_URL: url(['http:', 'https:']).default('https://graph.microsoft.com/v1.0'),
      AZURE_AUTHORITY_HOST: url(['https:']).default('https://login.microsoftonline.com'),
      AZURE_TENANT_ID: z.string().min(1),
      AZURE_CLIENT_ID: z.string().min(1),
      AZURE_CLIENT_SECRET: z.string().min(1).optional(),
      AZURE_CLIENT_CERTIFICATE_PATH: z.string().min(1).optional(),
      KADA_INSTITUTION: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'must be a lower-case institution code such as uio'),
      KADA_SEMESTERS: z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().refine(isSemesterCode, 'semester codes look like 26h or 27v')).min(1))
        .default(currentAndNextSemesters(now)),
      KADA_TIMEZONE: z
        .string()
        .refine(
          (tz) => {
            try {
              new Intl.DateTimeFormat('en', { timeZone: tz });
              return true;
            } catch {
              return false;
            }
          },
          { message: 'must be an IANA time zone such as Europe/Oslo', abort: true },
        )
        // Graph is written the Windows name of the zone (graph.md "Time zones"); without one, every write would fail.
        .refine(
          (tz) => windowsZoneName(tz) !== null,
          'has no Windows time-zone name (CLDR windowsZones), which Microsoft Graph needs: use a zone such as Europe/Oslo',
        )
        .default('Europe/Oslo'),
      KADA_LANGUAGE: z.enum(['nb', 'nn', 'en']).default('nb'),
      CALENDAR_MODE: z.enum(['primary', 'dedicated']).default('primary'),
      CALENDAR_NAME: z.string().min(1).default('Timeplan'),
      MAILBOX_FROM: z.enum(['epost', 'username']).default('epost'),
      MAIL_DOMAIN: z
        .string()
        .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a mail domain such as uio.no')
        .optional(),
      ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
      METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
      PORT: intFrom(1, 65535).default(8080),
      KADA_WORKERS: intFrom(1, 256).default(16),
      KADA_JOB_MAX_ATTEMPTS: intFrom(1, 100).default(8),
      KADA_JOB_LEASE_MS: intFrom(3_000, 3_600_000).default(30_000),
      KADA_PLANNER_DEBOUNCE_MS: intFrom(0, 60_000).default(400),
      KADA_RETENTION_DAYS: intFrom(1, 3650).default(30),
      KADA_DELETE_GUARD: intFrom(0, 10_000_000).default(500),
      // The contracts' rule is 15 minutes; shorter only so tests need not wait.
      KADA_CONFIRM_DELAY_MS: intFrom(0, 86_400_000).default(900_000),
      GRAPH_CONCURRENCY: intFrom(1, 64).default(4),
      GRAPH_TIMEOUT_MS: intFrom(100, 600_000).default(30_000),
      SERIES_MODE: z.enum(['off', 'weekly']).default('off'),
      LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .superRefine((c, ctx) => {
      if (!c.AZURE_CLIENT_SECRET && !c.AZURE_CLIENT_CERTIFICATE_PATH) {
        ctx.addIssue({
          code: 'custom',
          path: ['AZURE_CLIENT_SECRET'],
          message: 'one of AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH is required',
        });
      }
      if (c.MAILBOX_FROM === 'username' && !c.MAIL_DOMAIN) {
        ctx.addIssue({ code: 'custom', path: ['MAIL_DOMAIN'], message: 'is required when MAILBOX_FROM=username' });
      }
    });
}

export type RawConfig = z.output<ReturnType<typeof schema>>;

export interface Config {
  databaseUrl: string;
  amqp: {
    url: string;
    queue: string;
    bindings: { exchange: string; pattern: string }[];
    prefetch: number;
    /** PEM file of the CA(s) that sign the broker's certificate, for amqps: (else Node's CAs). */
    caFile?: string;
  };
  tp: { baseUrl: string; apiKey: string };
  fs: { baseUrl: string; apiKey: string };
  graph: {
    baseUrl: string;
    authorityHost: string;
    tenantId: string;
    clientId: string;
    clientSecret?: string;
    clientCertificatePath?: string;
    concurrency: number;
    timeoutMs: number;
  };
  institution: string;
  semesters: string[];
  timezone: string;
  language: 'nb' | 'nn' | 'en';
  calendar: { mode: 'primary' | 'dedicated'; name: string };
  mailbox: { from: 'epost' | 'username'; domain?: string };
  adminToken?: string;
  metricsToken?: string;
  port: number;
  workers: number;
  jobMaxAttempts: number;
  /** A running job's lease; a process that dies leaves jobs that are taken again after this. */
  jobLeaseMs: number;
  /** How long course notifications gather before the planner reads TP. */
  plannerDebounceMs: number;
  /** Days after which a person gone from FS is erased and errors, dead letters and old rows are pruned. */
  retentionDays: number;
  /** Most source-removal deletions per hour across the installation before they are held (service.md). */
  deleteGuard: number;
  /** How far apart two sightings of a person gone or a course emptied must be before kada acts on them. */
  confirmDelayMs: number;
  seriesMode: 'off' | 'weekly';
  logLevel: string;
  /** Key of the keyed hash that stands for a person in info logs (src/log/pseudonym.ts). */
  logKey: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Default bindings per intark.md: FS and TP topic exchanges for the institution. */
export function defaultBindings(institution: string) {
  return [
    { exchange: 'ex_fs', pattern: `no.${institution}.fs.#` },
    { exchange: 'ex_tp', pattern: `no.${institution}.tp.#` },
  ];
}

/**
 * Validates `env` and returns the typed config, or throws a ConfigError naming every bad
 * variable. Values of secret variables never appear in the message.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, now = new Date()): Config {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = schema(now).safeParse(cleaned);
  const problems = (parsed.error?.issues ?? []).map((i) => ({
    variable: String(i.path[0] ?? 'config'),
    message: i.code === 'invalid_type' && cleaned[String(i.path[0])] === undefined ? 'is required' : i.message,
  }));
  // Outside the schema, so a plaintext connection is reported alongside every other bad variable.
  if (cleaned.KADA_ALLOW_PLAINTEXT !== 'true') problems.push(...plaintextProblemsOf(cleaned, problems));
  if (!parsed.success || problems.length) {
    const seen = new Set<string>();
    throw new ConfigError(problems.filter((p) => !seen.has(p.variable) && seen.add(p.variable)));
  }
  const c = parsed.data;
  return {
    databaseUrl: c.DATABASE_URL,
    amqp: {
      url: c.AMQP_URL,
      queue: c.AMQP_QUEUE,
      bindings: c.AMQP_BINDINGS ?? defaultBindings(c.KADA_INSTITUTION),
      prefetch: c.AMQP_PREFETCH,
      caFile: c.AMQP_CA_FILE,
    },
    tp: { baseUrl: c.TP_BASE_URL.replace(/\/+$/, ''), apiKey: c.TP_API_KEY },
    fs: { baseUrl: c.FS_BASE_URL.replace(/\/+$/, ''), apiKey: c.FS_API_KEY },
    graph: {
      baseUrl: c.GRAPH_BASE_URL.replace(/\/+$/, ''),
      authorityHost: c.AZURE_AUTHORITY_HOST.replace(/\/+$/, ''),
      tenantId: c.AZURE_TENANT_ID,
      clientId: c.AZURE_CLIENT_ID,
      clientSecret: c.AZURE_CLIENT_SECRET,
      clientCertificatePath: c.AZURE_CLIENT_CERTIFICATE_PATH,
      concurrency: c.GRAPH_CONCURRENCY,
      timeoutMs: c.GRAPH_TIMEOUT_MS,
    },
    institution: c.KADA_INSTITUTION,
    semesters: c.KADA_SEMESTERS,
    timezone: c.KADA_TIMEZONE,
    language: c.KADA_LANGUAGE,
    calendar: { mode: c.CALENDAR_MODE, name: c.CALENDAR_NAME },
    mailbox: { from: c.MAILBOX_FROM, domain: c.MAIL_DOMAIN },
    adminToken: c.ADMIN_TOKEN,
    metricsToken: c.METRICS_TOKEN,
    port: c.PORT,
    workers: c.KADA_WORKERS,
    jobMaxAttempts: c.KADA_JOB_MAX_ATTEMPTS,
    jobLeaseMs: c.KADA_JOB_LEASE_MS,
    plannerDebounceMs: c.KADA_PLANNER_DEBOUNCE_MS,
    retentionDays: c.KADA_RETENTION_DAYS,
    deleteGuard: c.KADA_DELETE_GUARD,
    confirmDelayMs: c.KADA_CONFIRM_DELAY_MS,
    seriesMode: c.SERIES_MODE,
    logLevel: c.LOG_LEVEL,
    logKey: logKeyFrom(cleaned),
  };
}

/** Plaintext findings for the URL variables that are themselves valid (the others are reported already). */
function plaintextProblemsOf(env: Record<string, string>, known: { variable: string }[]) {
  const vars = ['DATABASE_URL', 'AMQP_URL', 'TP_BASE_URL', 'FS_BASE_URL', 'GRAPH_BASE_URL', 'PGSSLMODE'] as const;
  const usable = Object.fromEntries(vars.filter((v) => !known.some((k) => k.variable === v)).map((v) => [v, env[v]]));
  return plaintextProblems(usable);
}

/** The configured secret values, for redaction and for tests that scan output for leaks. */
export function secretValues(env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  for (const k of SECRET_VARS) {
    const v = env[k];
    if (!v) continue;
    out.push(v);
    if (k === 'DATABASE_URL' || k === 'AMQP_URL') {
      try {
        const pw = new URL(v).password;
        if (pw) out.push(decodeURIComponent(pw));
      } catch {
        /* not a URL: the whole value is already listed */
      }
    }
  }
  return out;
}

/** For `kada migrate`, which needs nothing but the database: validates DATABASE_URL alone. */
export function loadDatabaseUrl(env: Record<string, string | undefined> = process.env): string {
  const r = databaseUrl.safeParse(env.DATABASE_URL ?? '');
  if (!r.success) {
    const message = env.DATABASE_URL ? (r.error.issues[0]?.message ?? 'is invalid') : 'is required';
    throw new ConfigError([{ variable: 'DATABASE_URL', message }]);
  }
  const plain =
    env.KADA_ALLOW_PLAINTEXT === 'true' ? [] : plaintextProblems({ DATABASE_URL: r.data, PGSSLMODE: env.PGSSLMODE });
  if (plain.length) throw new ConfigError(plain);
  return r.data;
}
