import { logKeyFrom } from '../log/pseudonym';
import { databaseUrl, schema } from './envSchema';
import { plaintextProblems } from './plaintext';
import { type Config, ConfigError } from './types';

export type { RawConfig } from './envSchema';
export { secretValues } from './secrets';
export { type Config, ConfigError } from './types';

/**
 * One loader for every variable in shared/contracts/service.md. Everything that comes from the
 * environment is validated here once; the rest of kada trusts the typed result.
 */

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
    roomCalendars: c.ROOM_CALENDARS === 'on',
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
