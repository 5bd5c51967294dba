import type { FsPerson } from '../domain/types';
import { mailboxProblemOf } from '../graph/mailboxErrors';
import { findCalendar } from '../graph/mailboxSetup';
import { listKadaEvents } from '../graph/readBack';
import { getMailboxSetup } from '../store/mailboxes';
import { getPerson, mailboxTakenByOther } from '../store/persons';
import { generationFloors, loadState } from '../store/syncedEvents';
import { clearSighting } from '../store/wipeSightings';
import { CalendarLostError } from './calendarRecovery';
import { mailboxOf } from './mailbox';
import type { PersonReading, SyncContext, SyncOptions, Wanted } from './personJob';
import { readGraphState } from './readGraphState';
import { readEnrolment, wantedFrom } from './readWanted';
import { sightWipe } from './sightWipe';

/**
 * The read of a person job: FS, the state store, the stored TP courses (TP when they are old), the
 * mailbox's set-up and, when reconciling, what Graph holds. Nothing here writes to the mailbox or
 * to the persons row; the desired events are computed here too, because a reconcile reads back the
 * weeks of exactly the series the person should have.
 */

const NOTHING: Wanted = { events: [], dataErrors: [], courses: [] };

export async function readPerson(ctx: SyncContext, personId: string, opts: SyncOptions): Promise<PersonReading> {
  const { db, config } = ctx;
  const priority = opts.priority ?? 0;
  const fsPerson = await ctx.fs.getPerson(personId);
  const stored = await loadState(db, personId);
  const known = await getPerson(db, personId);
  const mailbox = fsPerson ? mailboxOf(fsPerson, config.mailbox) : null;
  const reading: PersonReading = {
    personId,
    fsPerson,
    goneUnconfirmed: null,
    known,
    stored,
    generations: await generationFloors(db, personId),
    mailbox,
    wanted: NOTHING,
    previous: null,
    setup: null,
    graph: null,
  };
  reading.goneUnconfirmed = await sightGone(ctx, reading, opts);
  if (reading.goneUnconfirmed) return reading;
  if (!opts.dryRun)
    reading.previous = await readPreviousMailbox(ctx, personId, known?.mailbox ?? null, mailbox, priority);
  if (!fsPerson || !mailbox) return reading;

  if (!known?.optedOut) reading.wanted = await readWanted(ctx, personId, fsPerson, opts);
  if (!opts.dryRun || opts.mode === 'reconcile') reading.setup = await readMailboxSetup(ctx, mailbox, opts);
  if (opts.mode === 'reconcile') {
    const calendarId = reading.setup?.calendarId ?? null;
    // A dedicated calendar this job is about to make holds nothing yet.
    const unmade = config.calendar.mode === 'dedicated' && !calendarId && !opts.dryRun;
    reading.graph = unmade
      ? { state: [], unkeyed: [] }
      : await readGraphState(ctx, { mailbox, calendarId, desired: reading.wanted.events, priority }).catch(
          (err: unknown) => {
            // The dedicated calendar itself answered 404: the person deleted it.
            const gone = (err as { statusCode?: number }).statusCode === 404 && !mailboxProblemOf(err);
            throw calendarId && gone ? new CalendarLostError(mailbox, calendarId) : err;
          },
        );
  }
  return reading;
}

/**
 * FS's answer about the person as a sighting (fs.md): "gone" is acted on only when said twice at least
 * the confirmation delay apart, or in a forced rebuild; any answer that knows the person clears it.
 * Returns when a second answer can confirm a wipe-out still waiting, or null to go on.
 */
async function sightGone(ctx: SyncContext, r: PersonReading, opts: SyncOptions): Promise<Date | null> {
  if (r.fsPerson) {
    await clearSighting(ctx.db, 'person', r.personId);
    return null;
  }
  // Confirmed before (marked gone), or nothing of theirs to remove: nothing to confirm.
  if (r.known?.status === 'gone' || (!r.known && r.stored.length === 0)) return null;
  const decision = await sightWipe(ctx.db, 'person', r.personId, {
    immediate: opts.confirmNow === true,
    delayMs: ctx.config.confirmDelayMs,
    recheck: opts.dryRun ? [] : [r.personId],
  });
  return decision.act ? null : decision.confirmAt;
}

/**
 * kada events in the mailbox the person had before (a new address, gone from FS, no mailbox any
 * more): the state store may not know all of them (a job crashed between a Graph write and its
 * record), and once the new mailbox is saved nobody would look there again. Null: nothing to look at.
 */
async function readPreviousMailbox(
  ctx: SyncContext,
  personId: string,
  previous: string | null,
  current: string | null,
  priority: number,
): Promise<PersonReading['previous']> {
  if (!previous || previous === current) return null;
  // The address may have passed to someone else since: what kada has there is theirs now.
  if (await mailboxTakenByOther(ctx.db, previous, personId)) return null;
  let calendarId: string | null = null;
  if (ctx.config.calendar.mode === 'dedicated') {
    calendarId = (await getMailboxSetup(ctx.db, previous))?.calendarId ?? null;
    if (!calendarId) return null; // kada never made its calendar there
  }
  try {
    const events = await listKadaEvents(ctx.writer, {
      mailbox: previous,
      calendarId,
      institution: ctx.config.institution,
      priority,
    });
    return { mailbox: previous, events };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null; // the mailbox itself is gone
    throw err;
  }
}

/** The person's registrations and teaching roles, their courses' timetables, and the events they give. */
async function readWanted(ctx: SyncContext, personId: string, fsPerson: FsPerson, opts: SyncOptions): Promise<Wanted> {
  const enrolment = await readEnrolment(ctx, personId);
  return wantedFrom(ctx, { personId, username: fsPerson.username }, enrolment, opts);
}

/**
 * The mailbox's set-up as stored, and the calendar kada writes into: in the dedicated mode the one
 * recorded, or else the one of that name already in the mailbox (a dry run only looks at the record).
 */
async function readMailboxSetup(
  ctx: SyncContext,
  mailbox: string,
  opts: SyncOptions,
): Promise<NonNullable<PersonReading['setup']>> {
  const stored = await getMailboxSetup(ctx.db, mailbox);
  const retryRefused = !!opts.retryRefusedSetup;
  if (ctx.config.calendar.mode !== 'dedicated') return { stored, calendarId: null, retryRefused };
  let calendarId = stored?.calendarId ?? null;
  if (!calendarId && !opts.dryRun)
    calendarId = await findCalendar(ctx.writer, mailbox, ctx.config.calendar.name, opts.priority ?? 0);
  return { stored, calendarId, retryRefused };
}
