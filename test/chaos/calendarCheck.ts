import { eventKey, parseEventKey } from '../../src/desired/eventKey';
import { parseTpTime } from '../../src/desired/time';
import { HASH_PROP, KEY_PROP, OWNER_PROP } from '../../src/domain/markers';
import type { GraphEmulator, InspectedEvent } from '../../testkit/graph/graphEmulator';
import type { Institution, TpWireEvent } from '../../testkit/institution/institution';

/**
 * The chaos suite's verdict on the calendars: every mailbox compared with what the institution's
 * ground truth (timetableOf) says its owner should see, by the content rules of
 * shared/contracts/service.md, independently of kada's own desired-state code.
 */

export interface CalendarFigures {
  persons: number;
  /** Persons FS gives no mailbox: nothing to check in Graph. */
  withoutMailbox: number;
  expected: number;
  present: number;
  missing: number;
  /** Extra copies of an event key in one mailbox. */
  duplicate: number;
  /** Present with the wrong subject, times or free/busy. */
  wrong: number;
  /** kada events whose key the person should not have (not deleted). */
  extra: number;
  /** kada events left in mailboxes nobody owns any more (a changed address, a person gone). */
  stray: number;
  /** The first few problems, for the failure message. */
  problems: string[];
}

const SUBJECT_SPACES = /\s+/g;
const oneLine = (s: string) => s.replace(SUBJECT_SPACES, ' ').trim();

/** service.md "Event content": subject and free/busy of one TP occurrence (language nb). */
export function expectedSubject(e: TpWireEvent): string {
  const title = oneLine(e['teaching-title']);
  const summary = oneLine(e.summary ?? '');
  let text = [oneLine(e.courseid), title].filter(Boolean).join(' ');
  if (summary && summary !== title) text += ` – ${summary}`;
  return e.status === 'cancelled' ? `AVLYST: ${text}` : text;
}

export function contentProblem(actual: InspectedEvent, e: TpWireEvent): string | null {
  const subject = expectedSubject(e);
  if (actual.subject !== subject) return `subject ${JSON.stringify(actual.subject)} != ${JSON.stringify(subject)}`;
  const start = parseTpTime(e.dtstart)!.toMillis();
  const end = parseTpTime(e.dtend)!.toMillis();
  if (Date.parse(actual.startUtc) !== start) return `start ${actual.startUtc} != ${new Date(start).toISOString()}`;
  if (Date.parse(actual.endUtc) !== end) return `end ${actual.endUtc} != ${new Date(end).toISOString()}`;
  const showAs = e.status === 'cancelled' ? 'free' : 'busy';
  if (actual.showAs !== showAs) return `showAs ${actual.showAs} != ${showAs}`;
  if (!actual.categories.includes('Undervisning'))
    return `categories ${JSON.stringify(actual.categories)} lack Undervisning`;
  if (actual.isReminderOn) return 'reminder is on';
  return null;
}

/**
 * Compares every person's mailbox with the oracle. `formerMailboxes` are addresses that belonged
 * to someone earlier in the run (changed e-mail, removed person): they must hold no kada events.
 */
export function checkCalendars(opts: {
  institution: Institution;
  graph: GraphEmulator;
  semesters: string[];
  personIds: string[];
  formerMailboxes?: Iterable<string>;
  owner?: string;
  /**
   * SERIES_MODE=weekly: compare what the person sees (the emulator's expanded view, series into
   * their weeks), matching occurrences by start instant and subject instead of by KEY marker.
   */
  expanded?: boolean;
}): CalendarFigures {
  const { institution: inst, graph } = opts;
  const owner = opts.owner ?? 'uio';
  const f: CalendarFigures = {
    persons: 0,
    withoutMailbox: 0,
    expected: 0,
    present: 0,
    missing: 0,
    duplicate: 0,
    wrong: 0,
    extra: 0,
    stray: 0,
    problems: [],
  };
  const note = (text: string) => {
    if (f.problems.length < 15) f.problems.push(text);
  };
  const kadaEvents = (mailbox: string) =>
    graph.events(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === owner);
  const current = new Set<string>();

  for (const personId of opts.personIds) {
    const person = inst.person(personId);
    f.persons++;
    if (!person?.epost) {
      f.withoutMailbox++;
      continue;
    }
    const mailbox = person.epost.toLowerCase();
    current.add(mailbox);
    const want = new Map<string, TpWireEvent>();
    for (const sem of opts.semesters) {
      for (const t of inst.timetableOf(personId, sem))
        want.set(eventKey(t.course, t.eventid), inst.event(t.course, t.eventid)!);
    }
    f.expected += want.size;
    if (opts.expanded) {
      checkExpanded(
        f,
        mailbox,
        want,
        graph.occurrences(mailbox).filter((e) => e.extendedProperties[OWNER_PROP] === owner),
        note,
      );
      continue;
    }
    const byKey = new Map<string, InspectedEvent[]>();
    for (const e of kadaEvents(mailbox)) {
      const key = e.extendedProperties[KEY_PROP] ?? '(no key)';
      byKey.set(key, [...(byKey.get(key) ?? []), e]);
    }
    for (const [key, tp] of want) {
      const got = byKey.get(key);
      if (!got) {
        f.missing++;
        note(`${mailbox}: missing ${key}`);
        continue;
      }
      f.present++;
      if (got.length > 1) {
        f.duplicate += got.length - 1;
        note(`${mailbox}: ${got.length} copies of ${key}`);
      }
      const problem = contentProblem(got[0]!, tp);
      if (problem) {
        f.wrong++;
        note(
          `${mailbox}: ${key}: ${problem} [graph id ${got[0]!.id.slice(-12)}, hash ` +
            `${got[0]!.extendedProperties[HASH_PROP]}]`,
        );
      }
    }
    for (const [key, got] of byKey) {
      if (want.has(key)) continue;
      f.extra += got.length;
      const parsed = parseEventKey(key);
      note(
        `${mailbox}: should not have ` +
          `${key}${parsed && !inst.event(parsed.course, parsed.eventid) ? ' (deleted in TP)' : ''}`,
      );
    }
  }
  for (const mailbox of new Set([...(opts.formerMailboxes ?? [])].map((m) => m.toLowerCase()))) {
    if (current.has(mailbox)) continue;
    const left = kadaEvents(mailbox).length;
    if (left) {
      f.stray += left;
      note(`${mailbox} (no longer anyone's): ${left} kada events left`);
    }
  }
  return f;
}

/**
 * One mailbox in series mode: each TP occurrence must be seen once, at its instants and with its
 * subject (a week of a series or a single event, however it was written), and nothing else.
 */
function checkExpanded(
  f: CalendarFigures,
  mailbox: string,
  want: Map<string, TpWireEvent>,
  seen: InspectedEvent[],
  note: (t: string) => void,
): void {
  const slot = (startMs: number, subject: string) => `${new Date(startMs).toISOString()} ${subject}`;
  const bySlot = new Map<string, InspectedEvent[]>();
  for (const o of seen) {
    const k = slot(Date.parse(o.startUtc), o.subject);
    bySlot.set(k, [...(bySlot.get(k) ?? []), o]);
  }
  const wanted = new Map<string, [string, TpWireEvent][]>();
  for (const [key, tp] of want) {
    const k = slot(parseTpTime(tp.dtstart)!.toMillis(), expectedSubject(tp));
    wanted.set(k, [...(wanted.get(k) ?? []), [key, tp]]);
  }
  for (const [k, tps] of wanted) {
    const got = bySlot.get(k) ?? [];
    const present = Math.min(got.length, tps.length);
    f.present += present;
    if (got.length < tps.length) {
      f.missing += tps.length - got.length;
      note(
        `${mailbox}: missing ${tps
          .slice(got.length)
          .map(([key]) => key)
          .join(', ')} (${k})`,
      );
    }
    if (got.length > tps.length) {
      f.duplicate += got.length - tps.length;
      note(`${mailbox}: ${got.length} occurrences of ${k}, ${tps.length} in TP`);
    }
    for (let i = 0; i < present; i++) {
      const problem = contentProblem(got[i]!, tps[i]![1]);
      if (problem) {
        f.wrong++;
        note(`${mailbox}: ${tps[i]![0]}: ${problem}`);
      }
    }
  }
  for (const [k, got] of bySlot) {
    if (wanted.has(k)) continue;
    f.extra += got.length;
    note(`${mailbox}: should not have ${k}`);
  }
}

/** A user's own entry as it must stay, byte for byte. */
export interface UserEventSnapshot {
  mailbox: string;
  id: string;
  json: string;
}

export function snapshotUserEvent(graph: GraphEmulator, mailbox: string, id: string): UserEventSnapshot {
  return { mailbox, id, json: JSON.stringify(graph.event(mailbox, id)) };
}

/** How many seeded user events are gone or differ in any byte. */
export function changedUserEvents(graph: GraphEmulator, snapshots: UserEventSnapshot[]): string[] {
  return snapshots
    .filter((s) => JSON.stringify(graph.event(s.mailbox, s.id)) !== s.json)
    .map((s) => `${s.mailbox}/${s.id}`);
}
