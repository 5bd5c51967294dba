import type { FsPerson } from '../domain/types';
import type { PersonRow } from '../db/entities';
import type { Queryable, Row } from './queryable';

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
  await db.query(
    `UPDATE persons SET event_count = $2, last_sync_at = now(),
        last_error = $3, last_error_at = CASE WHEN $3::text IS NULL THEN last_error_at ELSE now() END, updated_at = now()
      WHERE person_id = $1`,
    [personId, outcome.eventCount, outcome.error],
  );
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
