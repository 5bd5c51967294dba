import type { FsPerson } from '../domain/types';
import type { PersonRow } from '../db/entities';
import type { Queryable, Row } from './queryable';
import { recordOutcomeOf } from './syncOutcome';

export type PersonStatus = PersonRow['status'];

/** A person as kada remembers them (the persons table without its bookkeeping columns). */
export type StoredPerson = Omit<PersonRow, 'createdAt' | 'updatedAt'>;

const COLUMNS = `person_id, username, email, mailbox, first_name, last_name, status, opted_out, event_count,
  last_sync_at, last_error, last_error_at`;

function fromRow(r: Row): StoredPerson {
  return {
    personId: r.person_id,
    username: r.username,
    email: r.email,
    mailbox: r.mailbox,
    firstName: r.first_name,
    lastName: r.last_name,
    status: r.status,
    optedOut: r.opted_out,
    eventCount: r.event_count,
    lastSyncAt: r.last_sync_at,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
  };
}

export async function getPerson(db: Queryable, personId: string): Promise<StoredPerson | null> {
  const rows = await db.query(`SELECT ${COLUMNS} FROM persons WHERE person_id = $1`, [personId]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Finds a known person by personlopenummer, username, e-mail or mailbox (case-insensitive). */
export async function findPerson(db: Queryable, query: string): Promise<StoredPerson | null> {
  const q = query.trim();
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM persons
      WHERE person_id = $1 OR lower(username) = lower($1) OR lower(email) = lower($1) OR lower(mailbox) = lower($1)
      ORDER BY (person_id = $1) DESC LIMIT 1`,
    [q],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function upsertPerson(
  db: Queryable,
  p: FsPerson,
  mailbox: string | null,
  status: PersonStatus,
): Promise<void> {
  await db.query(
    `INSERT INTO persons (person_id, username, email, mailbox, first_name, last_name, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (person_id) DO UPDATE SET username = EXCLUDED.username, email = EXCLUDED.email,
       mailbox = EXCLUDED.mailbox, first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
       status = EXCLUDED.status, updated_at = now()`,
    [p.personId, p.username, p.email, mailbox, p.firstName, p.lastName, status],
  );
}

export async function markGone(db: Queryable, personId: string): Promise<void> {
  await db.query(
    `INSERT INTO persons (person_id, status) VALUES ($1, 'gone')
     ON CONFLICT (person_id) DO UPDATE SET status = 'gone', updated_at = now()`,
    [personId],
  );
}

export async function recordSyncOutcome(
  db: Queryable,
  personId: string,
  outcome: { eventCount: number; error: string | null },
): Promise<void> {
  await recordOutcomeOf(db, 'persons', personId, outcome);
}

export async function recordPersonError(db: Queryable, personId: string, error: string): Promise<void> {
  await db.query(
    `INSERT INTO persons (person_id, last_error, last_error_at) VALUES ($1, $2, now())
     ON CONFLICT (person_id) DO UPDATE SET last_error = $2, last_error_at = now(), updated_at = now()`,
    [personId, error],
  );
}

/** Admin-set opt-out: the person's kada events are removed and no new ones are written. */
export async function setOptOut(db: Queryable, personId: string, optedOut: boolean): Promise<void> {
  await db.query(
    `INSERT INTO persons (person_id, opted_out) VALUES ($1, $2)
     ON CONFLICT (person_id) DO UPDATE SET opted_out = $2, updated_at = now()`,
    [personId, optedOut],
  );
}

/** Whether another active person has this mailbox now (an address passed on to someone else). */
export async function mailboxTakenByOther(db: Queryable, mailbox: string, personId: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM persons WHERE lower(mailbox) = lower($1) AND person_id <> $2 AND status = 'active' LIMIT 1`,
    [mailbox, personId],
  );
  return rows.length > 0;
}

/** One line of the admin's person search. */
export interface PersonMatch {
  personId: string;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  mailbox: string | null;
  status: PersonStatus;
  eventCount: number;
}

/** Persons whose personlopenummer is `q`, or whose username, e-mail, mailbox or name contains it. */
export async function searchPersons(db: Queryable, q: string, limit: number): Promise<PersonMatch[]> {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows: Row[] = await db.query(
    `SELECT person_id, first_name, last_name, username, mailbox, status, event_count FROM persons
      WHERE person_id = $1 OR username ILIKE $2 OR email ILIKE $2 OR mailbox ILIKE $2
         OR (coalesce(first_name, '') || ' ' || coalesce(last_name, '')) ILIKE $2
      ORDER BY (person_id = $1) DESC, lower(username) NULLS LAST, person_id LIMIT $3`,
    [q, like, limit],
  );
  return rows.map((r) => ({
    personId: r.person_id,
    firstName: r.first_name,
    lastName: r.last_name,
    username: r.username,
    mailbox: r.mailbox,
    status: r.status,
    eventCount: r.event_count,
  }));
}

/** Known persons by lower-case username; an active person wins over a gone one with the same name. */
export async function personIdsByUsername(db: Queryable, usernames: string[]): Promise<Map<string, string>> {
  const rows: { person_id: string; username: string }[] = await db.query(
    `SELECT DISTINCT ON (lower(username)) person_id, lower(username) AS username FROM persons
      WHERE lower(username) = ANY($1) ORDER BY lower(username), (status = 'active') DESC, updated_at DESC`,
    [usernames],
  );
  return new Map(rows.map((r) => [r.username, r.person_id]));
}

/** Adds persons kada has never seen, and makes gone ones active again. Returns how many of either. */
export async function addPersons(db: Queryable, personIds: string[]): Promise<number> {
  const [{ n }] = await db.query(
    `WITH added AS (
       INSERT INTO persons (person_id) SELECT unnest($1::text[])
       ON CONFLICT (person_id) DO UPDATE SET status = 'active', updated_at = now() WHERE persons.status = 'gone'
       RETURNING 1)
     SELECT count(*)::int AS n FROM added`,
    [personIds],
  );
  return n;
}

/** How many not-gone persons sort after `cursor` (a personlopenummer; '' for all). */
export async function countPersonsAfter(db: Queryable, cursor: string): Promise<number> {
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM persons WHERE status <> 'gone' AND person_id > $1`, [
    cursor,
  ]);
  return n;
}

/** The next `limit` not-gone persons after `cursor`, in personlopenummer order. */
export async function personsAfter(db: Queryable, cursor: string, limit: number): Promise<string[]> {
  const rows: { person_id: string }[] = await db.query(
    `SELECT person_id FROM persons WHERE status <> 'gone' AND person_id > $1 ORDER BY person_id LIMIT $2`,
    [cursor, limit],
  );
  return rows.map((r) => r.person_id);
}

/** The persons table in figures, for /api/status. */
export interface PersonCounts {
  total: number;
  active: number;
  noMailbox: number;
  gone: number;
  optedOut: number;
  withError: number;
  lastSyncAt: Date | null;
}

/**
 * Of the given persons, those in step: kada has synced them before (service.md "Order of work": a person
 * without a sync yet is filled, at fill priority, whatever brought them to the queue).
 */
export async function personsInStep(db: Queryable, personIds: string[]): Promise<string[]> {
  if (personIds.length === 0) return [];
  const rows: { person_id: string }[] = await db.query(
    `SELECT person_id FROM persons
      WHERE person_id = ANY($1::text[]) AND status = 'active' AND last_sync_at IS NOT NULL`,
    [personIds],
  );
  return rows.map((r) => r.person_id);
}

export async function personCounts(db: Queryable): Promise<PersonCounts> {
  const [r = {}]: Row[] = await db.query(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE status = 'active')::int AS active,
            count(*) FILTER (WHERE status = 'no_mailbox')::int AS no_mailbox,
            count(*) FILTER (WHERE status = 'gone')::int AS gone,
            count(*) FILTER (WHERE opted_out)::int AS opted_out,
            count(*) FILTER (WHERE last_error IS NOT NULL)::int AS with_error,
            max(last_sync_at) AS last_sync_at
       FROM persons`,
  );
  return {
    total: r.total ?? 0,
    active: r.active ?? 0,
    noMailbox: r.no_mailbox ?? 0,
    gone: r.gone ?? 0,
    optedOut: r.opted_out ?? 0,
    withError: r.with_error ?? 0,
    lastSyncAt: r.last_sync_at ?? null,
  };
}
