import { logKeyFrom } from '../log/pseudonym';
import { pseudonymiseAudit } from './audit';
import type { Queryable } from './queryable';

/**
 * Erasing one person from every table (`kada forget`, DELETE /api/persons/{p}, retention). The
 * statements are one module because they only make sense together, in one transaction: a half-erased
 * person would be neither known nor forgotten.
 */

/** What names a person in kada's tables; everything but the number may be unknown. */
export interface PersonIdentity {
  personId: string;
  username?: string | null;
  email?: string | null;
  mailboxes?: string[];
  firstName?: string | null;
  lastName?: string | null;
}

/** Rows removed (or, for reconcile_runs, cursors moved; for audit_log, reduced to the keyed hash) per table. */
export type ErasedRows = Record<
  | 'audit_log'
  | 'persons'
  | 'synced_events'
  | 'event_generations'
  | 'held_deletes'
  | 'wipe_sightings'
  | 'jobs'
  | 'errors'
  | 'inbox'
  | 'tp_courses'
  | 'mailboxes'
  | 'reconcile_runs'
  | 'ics_feeds',
  number
>;

/** The person as kada's own tables know them, or just the number. */
export async function identityOf(db: Queryable, personId: string): Promise<PersonIdentity> {
  const rows = await db.query(
    `SELECT username, email, mailbox, first_name, last_name FROM persons WHERE person_id = $1`,
    [personId],
  );
  const events: { mailbox: string }[] = await db.query(
    `SELECT DISTINCT lower(mailbox) AS mailbox FROM synced_events WHERE person_id = $1`,
    [personId],
  );
  const p = rows[0];
  const mailboxes = new Set(events.map((e) => e.mailbox));
  if (p?.mailbox) mailboxes.add(p.mailbox.toLowerCase());
  return {
    personId,
    username: p?.username ?? null,
    email: p?.email ?? null,
    mailboxes: [...mailboxes],
    firstName: p?.first_name ?? null,
    lastName: p?.last_name ?? null,
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One case-insensitive PostgreSQL regex matching any text that names the person: the number,
 * username, e-mail, mailboxes and full name, each as a whole word (`\y`), so person 1234 does not
 * match 12345. Names alone are not used: many people share a first or last name.
 */
export function mentionPattern(who: PersonIdentity): string {
  const full = [who.firstName, who.lastName].filter(Boolean).join(' ');
  const reversed = [who.lastName, who.firstName].filter(Boolean).join(', ');
  const others = [who.username, who.email, ...(who.mailboxes ?? [])]
    .concat(who.firstName && who.lastName ? [full, reversed] : [])
    .filter((t): t is string => !!t && t.trim().length >= 3);
  // The number is never empty (a blank alternative would match every row).
  const terms = [who.personId.trim() || '\uFFFF', ...others].map((t) => escapeRegex(t.trim()));
  return `\\y(${[...new Set(terms)].join('|')})\\y`;
}

/**
 * Deletes every row that names the person. Rows of other persons are kept: a TP course copy naming
 * them as staff is dropped (the next job reads TP again), a reconcile cursor on them moves to the
 * person before. Pending course notifications stay even if their text happens to match.
 */
export async function erasePersonRows(
  db: Queryable,
  who: PersonIdentity,
  opts: { keepOptOut?: boolean; pseudonymKey?: string } = {},
): Promise<ErasedRows> {
  const id = who.personId;
  const [optedOut] = await db.query(`SELECT 1 FROM persons WHERE person_id = $1 AND opted_out`, [id]);
  const re = mentionPattern(who);
  const mailboxes = (who.mailboxes ?? []).map((m) => m.toLowerCase());
  const count = async (sql: string, params: unknown[]): Promise<number> => {
    const rows = await db.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params);
    return rows[0].n;
  };
  const erased: ErasedRows = {
    synced_events: await count(`DELETE FROM synced_events WHERE person_id = $1`, [id]),
    event_generations: await count(`DELETE FROM event_generations WHERE person_id = $1`, [id]),
    // Their calendar is emptied by the erasure itself: a held deletion or a pending "gone" has nothing left to do.
    held_deletes: await count(`DELETE FROM held_deletes WHERE person_id = $1`, [id]),
    wipe_sightings: await count(`DELETE FROM wipe_sightings WHERE kind = 'person' AND subject = $1`, [id]),
    jobs: await count(`DELETE FROM jobs WHERE person_id = $1`, [id]),
    errors: await count(
      `DELETE FROM errors WHERE person_id = $1 OR message ~* $2 OR coalesce(details::text, '') ~* $2
          OR coalesce(course, '') ~* $2`,
      [id, re],
    ),
    inbox: await count(
      `DELETE FROM inbox WHERE person_id = $1
          OR ((body::text ~* $2 OR subject ~* $2 OR coalesce(error, '') ~* $2)
              AND NOT (state = 'pending' AND action = 'course'))`,
      [id, re],
    ),
    tp_courses: await count(`DELETE FROM tp_courses WHERE lower($1) = ANY(staff_usernames) OR course::text ~* $2`, [
      who.username ?? '',
      re,
    ]),
    mailboxes: await count(
      `DELETE FROM mailboxes m WHERE lower(m.mailbox) = ANY($2)
          AND NOT EXISTS (SELECT 1 FROM persons p WHERE lower(p.mailbox) = lower(m.mailbox) AND p.person_id <> $1)
          AND NOT EXISTS (SELECT 1 FROM synced_events s
                           WHERE lower(s.mailbox) = lower(m.mailbox) AND s.person_id <> $1)`,
      [id, mailboxes],
    ),
    // The walk resumes after the person before, which is where it would have gone next anyway.
    reconcile_runs: await count(
      `UPDATE reconcile_runs SET last_person_id = (SELECT max(person_id) FROM persons WHERE person_id < $1)
        WHERE last_person_id = $1`,
      [id],
    ),
    // The feed's stamps (ics_events) go with it.
    ics_feeds: await count(`DELETE FROM ics_feeds WHERE subject = $1`, [id]),
    persons: await count(`DELETE FROM persons WHERE person_id = $1`, [id]),
    // Who looked at or acted on them must stay answerable, by the hash `kada pseudonym <number>` prints.
    audit_log: await pseudonymiseAudit(db, id, re, opts.pseudonymKey ?? logKeyFrom(process.env)),
  };
  // An opt-out is the person's own objection: it outlives the erasure as the bare number, or their
  // next notification would sync them again (service.md).
  if (optedOut && opts.keepOptOut) await db.query(`INSERT INTO persons (person_id, opted_out) VALUES ($1, true)`, [id]);
  return erased;
}
