import type { Config } from '../config/config';
import { parseEventKey } from '../desired/eventKey';
import { parseExceptionKey } from '../desired/series';
import { diff } from '../diff/diff';
import { planSeries } from '../diff/seriesPlan';
import type { SyncPlan, SyncedEvent } from '../domain/types';
import { transactionKeyOf } from '../graph/transactionId';
import type { StoredEvent } from '../store/syncedEvents';
import { graphBody } from './graphBody';
import { nearTermFirst, type WriteOrder } from './nearTermFirst';
import type { Op, PersonOutcome, PersonPlan, PersonReading, SeriesWork, SetupPlan } from './personJob';
import { plannedResult } from './plannedResult';

/**
 * The plan of a person job, from what was read and nothing else (pure): who the person is now
 * (synced, gone, without a mailbox, opted out), what goes from a mailbox they had before, what the
 * mailbox still needs set up, and the writes that make the calendar match the desired events.
 */

export type PlanSettings = Pick<Config, 'institution' | 'language' | 'calendar' | 'mailbox'>;

const NO_SERIES: SeriesWork = { exceptions: [], forget: [], masters: new Map() };

/** `order`: when the job runs and whether it may leave later weeks to another job (nearTermFirst.ts). */
export function planPerson(r: PersonReading, settings: PlanSettings, order?: WriteOrder): PersonPlan {
  const { personId, fsPerson, mailbox, stored } = r;
  if (r.goneUnconfirmed) return pendingGone(r);
  const orphans = orphansOf(r);
  if (!fsPerson || !mailbox) {
    // Gone from FS (404) or no mailbox: everything kada wrote for them goes, nothing else in their calendar.
    const outcome: PersonOutcome = fsPerson ? 'no_mailbox' : 'gone';
    const ops = deleteAll(stored).map((op) => ({ ...op, sourceRemoval: true }));
    return {
      personId,
      outcome,
      mailbox: null,
      orphans,
      record: fsPerson ? { status: 'no_mailbox', person: fsPerson, mailbox: null } : { status: 'gone' },
      noMailboxError: fsPerson && r.known?.status !== 'no_mailbox' ? noMailboxError(personId, settings) : null,
      setup: null,
      adopt: null,
      ops,
      series: NO_SERIES,
      stored,
      result: plannedResult({ personId, outcome, mailbox: null, ops, series: NO_SERIES, stored, wanted: r.wanted }),
    };
  }

  const calendarId = settings.calendar.mode === 'dedicated' ? (r.setup?.calendarId ?? null) : null;
  const { ops, series, adopt } = planMailboxWrites(r, mailbox, calendarId, settings.institution);
  const outcome: PersonOutcome = r.known?.optedOut ? 'opted_out' : 'synced';
  const recorded = new Set(stored.filter((s) => s.mailbox === mailbox).map((s) => s.key));
  const now = order
    ? nearTermFirst(ops, series, { desired: r.wanted.events, recorded, order })
    : { ops, series, deferred: null };
  return {
    personId,
    outcome,
    mailbox,
    orphans,
    record: { status: 'active', person: fsPerson, mailbox },
    noMailboxError: null,
    // A first pass with nothing to write in the next 14 days leaves the set-up to the job of the later weeks:
    // the budget of the first pass goes to those who have events soon (service.md "Order of work").
    setup: r.setup && !nothingNow(now) ? setupPlan(mailbox, r.setup, settings) : null,
    adopt,
    ops: now.ops,
    series: now.series,
    deferred: now.deferred,
    stored,
    // The whole plan, later weeks included: what a dry run shows.
    result: plannedResult({ personId, outcome, mailbox, ops, series, stored, wanted: r.wanted }),
  };
}

/**
 * The writes that make one mailbox hold exactly the desired events, for a person or a room: events
 * recorded in another mailbox go, the diff against the state store (or Graph, when reconciling) is
 * written, and in reconcile mode the store first adopts what Graph holds.
 */
export function planMailboxWrites(
  r: Pick<PersonReading, 'wanted' | 'stored' | 'graph' | 'generations'>,
  mailbox: string,
  calendarId: string | null,
  institution: string,
): Pick<PersonPlan, 'ops' | 'series' | 'adopt'> {
  const { stored } = r;
  const desired = r.wanted.events;
  // Events kada wrote into another mailbox (the address changed) are removed from there.
  const elsewhere = stored.filter((s) => s.mailbox !== mailbox);
  const here = stored.filter((s) => s.mailbox === mailbox);
  const state = r.graph ? r.graph.state : here;
  const { plan, exceptions, forget } = planSeries(diff(desired, state), desired, state);
  const wanted = new Set(desired.map((d) => d.key));
  const ops: Op[] = [
    ...deleteAll(elsewhere),
    ...(r.graph?.unkeyed ?? []).map((id): Op => ({ kind: 'delete', mailbox, eventId: id, key: '(no key)' })),
    // A key no longer desired is a source removal; a master deleted to be written anew is not.
    ...plan.deletes.map(
      (d): Op => ({ kind: 'delete', mailbox, eventId: d.graphEventId, key: d.key, sourceRemoval: !wanted.has(d.key) }),
    ),
    ...plan.updates.map(
      (u): Op => ({
        kind: 'update',
        mailbox,
        eventId: u.graphEventId,
        key: u.key,
        body: graphBody(u.desired, institution),
        desired: u.desired,
      }),
    ),
    ...plan.creates.map((c): Op => {
      const generation = generationOf(c.key, here, r.generations);
      return {
        kind: 'create',
        mailbox,
        calendarId,
        key: c.key,
        body: graphBody(c.desired, institution),
        desired: c.desired,
        generation,
        ...(generation > 0 ? { transactionKey: transactionKeyOf(c.key, generation) } : {}),
      };
    }),
  ];
  const series: SeriesWork = {
    exceptions,
    forget,
    masters: new Map(desired.filter((d) => d.content.recurrence).map((d) => [d.key, d])),
  };
  return { ops, series, adopt: r.graph ? adoption(mailbox, here, r.graph.state, plan, wanted) : null };
}

/**
 * The generation of a create: a key still recorded is created anew (a replaced series, an event the
 * person deleted, found by reconcile) and takes the next one; otherwise the lowest unused one, the
 * same on every retry until the create is recorded, so a create that landed is found again.
 */
function generationOf(key: string, here: StoredEvent[], floors: ReadonlyMap<string, number> | undefined): number {
  const row = here.find((s) => s.key === key);
  return Math.max(floors?.get(key) ?? 0, row ? (row.generation ?? 0) + 1 : 0);
}

/** FS says the person is gone, not yet confirmed: nothing is deleted and the person is not marked gone. */
function pendingGone(r: PersonReading): PersonPlan {
  const { personId, stored } = r;
  const outcome: PersonOutcome = 'gone_pending';
  return {
    personId,
    outcome,
    mailbox: r.known?.mailbox ?? null,
    orphans: [],
    record: null,
    noMailboxError: null,
    setup: null,
    adopt: null,
    ops: [],
    series: NO_SERIES,
    stored,
    result: plannedResult({ personId, outcome, mailbox: null, ops: [], series: NO_SERIES, stored, wanted: r.wanted }),
  };
}

/** Events in the previous mailbox that the state store does not know (recorded ones go with the other deletes). */
function orphansOf(r: PersonReading): PersonPlan['orphans'] {
  if (!r.previous) return [];
  const previous = r.previous.mailbox;
  const recorded = new Set(r.stored.map((s) => s.graphEventId));
  return r.previous.events
    .filter((e) => !recorded.has(e.id))
    .map((e) => ({ kind: 'delete', mailbox: previous, eventId: e.id, key: e.key ?? '(no key)' }));
}

/** Exceptions go with their master: only masters and single events are deleted. */
export function deleteAll(events: StoredEvent[]): Op[] {
  return events
    .filter((s) => !parseExceptionKey(s.key))
    .map((s) => ({ kind: 'delete', mailbox: s.mailbox, eventId: s.graphEventId, key: s.key }));
}

function noMailboxError(personId: string, settings: PlanSettings): NonNullable<PersonPlan['noMailboxError']> {
  const field = settings.mailbox.from === 'username' ? 'brukernavn' : 'epost';
  return {
    kind: 'person',
    code: 'PERSON_NO_MAILBOX',
    message: `person ${personId} has no mailbox in FS (${field} missing); skipped`,
    personId,
  };
}

function nothingNow(p: { ops: Op[]; series: SeriesWork; deferred: unknown }): boolean {
  return p.deferred !== null && p.ops.length === 0 && p.series.exceptions.length === 0;
}

function setupPlan(mailbox: string, read: NonNullable<PersonReading['setup']>, settings: PlanSettings): SetupPlan {
  const stored = read.stored ?? { calendarId: null, categoryEnsured: false, categoryDenied: false };
  const dedicated = settings.calendar.mode === 'dedicated';
  // A refused category step (403) stays skipped for that mailbox; only a forced rebuild asks again.
  const done = stored.categoryEnsured || (stored.categoryDenied && !read.retryRefused);
  return {
    mailbox,
    category: done ? null : settings.language === 'en' ? 'Teaching' : 'Undervisning',
    categoryKept: { ensured: stored.categoryEnsured, denied: stored.categoryDenied },
    createCalendar: dedicated && !read.calendarId ? settings.calendar.name : null,
    calendarId: dedicated ? read.calendarId : stored.calendarId,
    dedicated,
    save: !done || (dedicated && !stored.calendarId),
  };
}

/** Reconcile: what makes the state store agree with what Graph holds, before the repairs are written. */
function adoption(
  mailbox: string,
  here: StoredEvent[],
  observed: SyncedEvent[],
  plan: SyncPlan,
  wanted: ReadonlySet<string>,
): PersonPlan['adopt'] {
  // A source-removal delete may be held by the deletion guard: its record stays until the delete succeeds.
  const deleted = new Set(plan.deletes.filter((d) => wanted.has(d.key)).map((d) => d.graphEventId));
  const kept = new Map<string, SyncedEvent>();
  for (const s of observed) if (!deleted.has(s.graphEventId)) kept.set(s.key, s);
  const forget = here.filter((s) => !kept.has(s.key)).map((s) => s.key);
  const save: StoredEvent[] = [];
  for (const s of kept.values()) {
    const parsed = parseEventKey(s.key);
    if (!parsed) continue;
    const prev = here.find((h) => h.key === s.key);
    if (prev && prev.graphEventId === s.graphEventId && prev.hash === s.hash) continue;
    save.push({ ...s, mailbox, course: parsed.course });
  }
  return { forget, save };
}
