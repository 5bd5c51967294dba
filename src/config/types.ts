/** The typed configuration the rest of kada trusts, and the error naming every bad variable. */

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
  /** ROOM_CALENDARS=on: mapped TP rooms get their bookings in their room mailboxes (rooms-ics.md). */
  roomCalendars: boolean;
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
