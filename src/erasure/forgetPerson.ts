import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import type { FsSource } from '../domain/ports';
import type { GraphWriter } from '../graph/writer';
import { PRIORITY } from '../jobs/types';
import type { Logger } from '../log/logger';
import { type ErasedRows, erasePersonRows, identityOf, type PersonIdentity } from '../store/personErasure';
import type { Queryable } from '../store/queryable';
import { mailboxOf } from '../sync/mailbox';
import { claimPerson } from './personClaim';
import { removeKadaEvents } from './removeKadaEvents';

export interface ForgetContext {
  db: Queryable;
  dataSource: DataSource;
  fs: FsSource;
  writer: GraphWriter;
  config: Pick<Config, 'institution' | 'mailbox' | 'logKey'>;
  logger: Logger;
}

/** What `kada forget` and DELETE /api/persons/{person} answer. */
export interface ForgetReceipt {
  personId: string;
  erasedAt: string;
  calendar: { eventsDeleted: number; mailboxes: number };
  rows: ErasedRows;
  total: number;
  /** The person was opted out: their number alone stays in `persons` so the opt-out still holds. */
  optOutKept: boolean;
}

/**
 * `kada forget`: kada's events leave the person's calendar first, then every row naming them goes in
 * one transaction. If Graph fails, nothing is erased, so a retry still knows which events to remove.
 * A person FS still lists is synced again by their next notification unless opted out first.
 */
export async function forgetPerson(ctx: ForgetContext, personId: string): Promise<ForgetReceipt> {
  const owner = `${hostname()}:${process.pid}:forget-${randomBytes(3).toString('hex')}`;
  const claim = await claimPerson(ctx.db, personId, owner);
  let calendar: ForgetReceipt['calendar'];
  let who: PersonIdentity;
  try {
    who = await withFsMailbox(ctx, await identityOf(ctx.db, personId));
    calendar = await removeKadaEvents(ctx, { personId, mailboxes: who.mailboxes ?? [] }, PRIORITY.forced);
  } catch (err) {
    await claim.fail(`forget: ${(err as Error).message}`);
    throw err;
  }
  const { rows, optOutKept } = await ctx.dataSource
    .transaction(async (m) => {
      // The claim is bookkeeping of this forget, not a row the receipt should count.
      await m.query(`DELETE FROM jobs WHERE id = $1`, [claim.jobId]);
      const [optedOut] = await m.query(`SELECT 1 FROM persons WHERE person_id = $1 AND opted_out`, [personId]);
      return {
        rows: await erasePersonRows(m, who, { keepOptOut: true, pseudonymKey: ctx.config.logKey }),
        optOutKept: !!optedOut,
      };
    })
    .catch(async (err) => {
      // Released, not left to expire: an expired claim would be retried as a rebuild of the person.
      await claim.fail(`forget: ${(err as Error).message}`);
      throw err;
    })
    .finally(() => claim.stopBeat());
  const total = Object.values(rows).reduce((a, b) => a + b, 0);
  // No person number at info: the log outlives the erasure.
  ctx.logger.info({ eventsDeleted: calendar.eventsDeleted, rows }, 'person forgotten');
  ctx.logger.debug({ personId }, 'forgotten person');
  return { personId, erasedAt: new Date().toISOString(), calendar, rows, total, optOutKept };
}

/**
 * The mailbox FS gives, when kada knows none for the person: events kada made under a record it
 * has since lost can only be found there. FS failing fails the forget (nothing erased yet).
 */
async function withFsMailbox(ctx: ForgetContext, who: PersonIdentity): Promise<PersonIdentity> {
  if (who.mailboxes?.length) return who;
  const fsPerson = await ctx.fs.getPerson(who.personId);
  const mailbox = fsPerson ? mailboxOf(fsPerson, ctx.config.mailbox) : null;
  if (!fsPerson) return who;
  return {
    ...who,
    username: who.username ?? fsPerson.username,
    email: who.email ?? fsPerson.email,
    firstName: who.firstName ?? fsPerson.firstName,
    lastName: who.lastName ?? fsPerson.lastName,
    mailboxes: mailbox ? [mailbox] : [],
  };
}
