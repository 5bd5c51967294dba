import { z } from 'zod';
import { currentAndNextSemesters, isSemesterCode } from '../domain/semester';
import { windowsZoneName } from '../domain/timeZoneNames';
import { SSL_MODES } from './plaintext';

/** The zod schema of every variable in shared/contracts/service.md (mapped to Config in ./config.ts). */

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
export const databaseUrl = url(['postgres:', 'postgresql:']).refine(
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

export function schema(now: Date) {
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
        // Graph is written the Windows name of the zone (graph.md "Time zones"); without one, every write would
        // fail.
        .refine(
          (tz) => windowsZoneName(tz) !== null,
          'has no Windows time-zone name (CLDR windowsZones), which Microsoft Graph needs: ' +
            'use a zone such as Europe/Oslo',
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
      ROOM_CALENDARS: z.enum(['on', 'off']).default('off'),
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
