import type { Config } from '../config/config';
import type { ExceptionWrite } from '../diff/seriesPlan';
import type { FsSource, TpSource } from '../domain/ports';
import type { DataError, DesiredEvent, FsPerson, SyncedEvent } from '../domain/types';
import type { KadaGraphEvent } from '../graph/readBack';
import type { GraphWrite, GraphWriter } from '../graph/writer';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import type { ErrorRecord } from '../store/errors';
import type { MailboxSetup } from '../store/mailboxes';
import type { PersonStatus, StoredPerson } from '../store/persons';
import type { Queryable } from '../store/queryable';
import type { StoredEvent } from '../store/syncedEvents';
import type { Deferred } from './nearTermFirst';

/**
 * The vocabulary of one person job: what it is given (context, options), what it reads
 * (PersonReading), what it decides (PersonPlan) and what it reports (SyncResult).
 */

export interface SyncContext {
  db: Queryable;
  tp: TpSource;
  fs: FsSource;
  writer: GraphWriter;
  config: Config;
  logger: Logger;
  metrics?: Metrics;
  /** The clock of the order of work (what "the next 14 days" are); tests and the bench set a day of term. */
  now?: () => Date;
}

export interface SyncOptions {
  /** `reconcile` reads the person's kada events back from Graph and repairs drift. */
  mode?: 'sync' | 'reconcile';
  dryRun?: boolean;
  priority?: number;
  /** How old a stored TP course may be before it is read again; 0 = always read TP. */
  courseMaxAgeMs?: number;
  /** Instead of an age: a stored course read from TP since this moment (epoch ms) is fresh (a reconcile walk). */
  coursesFreshSince?: number;
  jobId?: string;
  /** A forced rebuild: try again the set-up steps Graph refused before (the category colour). */
  retryRefusedSetup?: boolean;
  onProgress?: (p: { done: number; total: number }) => void;
  /** A forced rebuild (operator): a person gone or a course emptied is acted on without a second sighting. */
  confirmNow?: boolean;
  /** Write the next 14 days now and queue the person again for their later weeks (nearTermFirst.ts). */
  nearTermFirst?: boolean;
}

/**
 * `gone_pending`: FS says the person is gone, not yet confirmed by a second answer; nothing is touched.
 * `unmapped`: a room job (rooms-ics.md) for a room no longer mapped to a mailbox: its kada events go.
 */
export type PersonOutcome = 'synced' | 'gone' | 'gone_pending' | 'no_mailbox' | 'opted_out' | 'unmapped';

export interface PlannedChange {
  kind: 'create' | 'update' | 'delete';
  key: string;
  mailbox: string;
  subject?: string;
  start?: string;
  end?: string;
}

export interface SyncResult {
  personId: string;
  outcome: PersonOutcome;
  mailbox: string | null;
  planned: { creates: number; updates: number; deletes: number };
  changes: PlannedChange[];
  written: { creates: number; updates: number; deletes: number };
  failed: { key: string; kind: string; status: number; code: string; message: string }[];
  eventCount: number;
  dataErrors: DataError[];
  courses: string[];
  /** Creates of later weeks left to the job queued after this one. */
  deferred?: number;
}

/**
 * A Graph write with the desired event it comes from (none for deletes), and a create's generation.
 * `sourceRemoval` marks a delete because a source stopped listing something (person gone, registration,
 * course or event removed): those count towards KADA_DELETE_GUARD; moves to a new mailbox and repairs do not.
 */
export type Op = GraphWrite & { desired?: DesiredEvent; generation?: number; sourceRemoval?: boolean };

/** What FS and TP say a person should have. */
export interface Wanted {
  events: DesiredEvent[];
  dataErrors: DataError[];
  /** The person's courses (`courseKey`), sorted. */
  courses: string[];
}

/** What Graph holds of kada's events in a mailbox, as state rows the diff can use. */
export interface GraphState {
  /** With the generation each event was created with, when its transactionId tells it. */
  state: (SyncedEvent & { generation?: number })[];
  /** kada events without a key marker: nobody can tell what they are, so they go. */
  unkeyed: string[];
}

/** Everything one person's sync needs, read before anything is written. */
export interface PersonReading {
  personId: string;
  /** Null: FS no longer knows the person. */
  fsPerson: FsPerson | null;
  /** FS says the person is gone, but not yet twice far enough apart: when a second answer can confirm it. */
  goneUnconfirmed?: Date | null;
  /** The persons row as the job found it. */
  known: StoredPerson | null;
  /** The state store's records of the person's events, in every mailbox. */
  stored: StoredEvent[];
  /** The lowest generation the next create of a key without a record may use (store/syncedEvents). */
  generations?: ReadonlyMap<string, number>;
  /** The person's mailbox by FS; null when they have none. */
  mailbox: string | null;
  /** Empty for a person gone, without a mailbox or opted out. */
  wanted: Wanted;
  /** kada's events in the mailbox the person had before, when someone has to look there. */
  previous: { mailbox: string; events: KadaGraphEvent[] } | null;
  /** The one-time set-up of the mailbox; null when the job does not touch the mailbox. */
  setup: { stored: MailboxSetup | null; calendarId: string | null; retryRefused?: boolean } | null;
  /** Reconcile: what Graph really holds in the mailbox. */
  graph: GraphState | null;
}

/** The series phase of a plan: exception PATCHes after the masters are written (diff/seriesPlan). */
export interface SeriesWork {
  exceptions: ExceptionWrite[];
  forget: SyncedEvent[];
  masters: Map<string, DesiredEvent>;
}

/** What the one-time set-up of a mailbox still needs. */
export interface SetupPlan {
  mailbox: string;
  /** kada's category to ensure in the mailbox's master list; null when done before, or refused and not retried. */
  category: string | null;
  /** What the mailboxes row says of the category when this plan does not try it. */
  categoryKept: { ensured: boolean; denied: boolean };
  /** The dedicated calendar to make; null when it exists or the default calendar is used. */
  createCalendar: string | null;
  /** The calendar id the mailboxes row keeps (the dedicated calendar's when known). */
  calendarId: string | null;
  dedicated: boolean;
  /** Whether the mailboxes row changes. */
  save: boolean;
}

/** Everything one person's sync will write, decided from a PersonReading alone. */
export interface PersonPlan {
  personId: string;
  outcome: PersonOutcome;
  mailbox: string | null;
  /** Unrecorded kada events in the previous mailbox: removed before the record names the new one. */
  orphans: GraphWrite[];
  /** The persons row as it is saved; null: left as it is. */
  record:
    | null
    | { status: 'gone' }
    | { status: Exclude<PersonStatus, 'gone'>; person: FsPerson; mailbox: string | null };
  /** Recorded once, when a person first turns out to have no mailbox. */
  noMailboxError: ErrorRecord | null;
  setup: SetupPlan | null;
  /** Reconcile: state store rows to forget and to save so the store agrees with Graph before repairs. */
  adopt: { forget: string[]; save: StoredEvent[] } | null;
  ops: Op[];
  series: SeriesWork;
  /** Creates of later weeks left to a job queued after this one (nearTermFirst.ts). */
  deferred?: Deferred | null;
  /** The state store's records the plan was made from. */
  stored: StoredEvent[];
  /** The result as a dry run reports it; the applier fills in what was written. */
  result: SyncResult;
}
