import type { Client } from '@microsoft/microsoft-graph-client';
import { desiredEvents } from '../src/desired/desiredEvents';
import { OWNER_PROP } from '../src/domain/markers';
import {
  courseKey,
  type ContentSettings,
  type CourseRef,
  type DesiredEvent,
  type Registration,
  type TeachingRole,
} from '../src/domain/types';
import { graphBody } from '../src/sync/graphBody';
import { mailboxOf } from '../src/sync/mailbox';
import type { FsSource, TpSource } from '../src/domain/ports';

/**
 * The naive approach kada is measured against (benchmark 7), as calendar sync scripts are often
 * written: one unbatched Graph request per event, no state store, and on every change the person's
 * events are listed, all deleted and all created again. It computes the same content as kada
 * (desiredEvents), reads TP per person (no course snapshots), and is given the best concurrency it
 * can have without being throttled: 4 requests at a time, Outlook's limit.
 */
export interface NaiveCounts {
  requests: number;
  creates: number;
  deletes: number;
  lists: number;
}

class Slots {
  private free: number;
  private waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export class NaiveSync {
  readonly counts: NaiveCounts = { requests: 0, creates: 0, deletes: 0, lists: 0 };
  private readonly slots: Slots;

  constructor(
    private readonly client: Client,
    private readonly sources: { tp: TpSource; fs: FsSource },
    private readonly settings: ContentSettings,
    private readonly semesters: string[],
    concurrency: number,
  ) {
    this.slots = new Slots(concurrency);
  }

  private async desired(personId: string): Promise<{ mailbox: string; events: DesiredEvent[] } | null> {
    const person = await this.sources.fs.getPerson(personId);
    const mailbox = person && mailboxOf(person, { from: 'epost' });
    if (!person || !mailbox) return null;
    const registrations: Registration[] = [];
    const roles: TeachingRole[] = [];
    for (const sem of this.semesters) {
      registrations.push(...(await this.sources.fs.registrationsForPerson(personId, sem)));
      roles.push(...(await this.sources.fs.rolesForPerson(personId, sem)));
    }
    const refs = new Map<string, CourseRef>();
    for (const c of [...registrations.map((r) => r.course), ...roles.map((r) => r.course)]) refs.set(courseKey(c), c);
    const courses = await Promise.all([...refs.values()].map((r) => this.sources.tp.getCourse(r)));
    const { events } = desiredEvents({
      personId,
      username: person.username,
      registrations,
      roles,
      courses,
      settings: this.settings,
    });
    return { mailbox, events };
  }

  private request<T>(fn: () => Promise<T>): Promise<T> {
    return this.slots.run(() => {
      this.counts.requests++;
      return fn();
    });
  }

  private createAll(mailbox: string, events: DesiredEvent[]): Promise<unknown> {
    const url = `/users/${encodeURIComponent(mailbox)}/events`;
    return Promise.all(
      events.map((d) =>
        this.request(async () => {
          await this.client.api(url).post(graphBody(d, this.settings.institution));
          this.counts.creates++;
        }),
      ),
    );
  }

  /** First sync: create every event. */
  async fill(personId: string): Promise<number> {
    const d = await this.desired(personId);
    if (!d) return 0;
    await this.createAll(d.mailbox, d.events);
    return d.events.length;
  }

  /** Any change: list the person's events (paged), delete them all, create them all again. */
  async rewrite(personId: string): Promise<number> {
    const d = await this.desired(personId);
    if (!d) return 0;
    const filter =
      `singleValueExtendedProperties/Any(ep: ep/id eq '${OWNER_PROP}' and ep/value eq ` +
      `'${this.settings.institution}')`;
    let next: string | undefined =
      `/users/${encodeURIComponent(d.mailbox)}/events?$select=id&$top=100&$filter=${encodeURIComponent(filter)}`;
    const ids: string[] = [];
    while (next) {
      const page = (await this.request(() => this.client.api(next!).get())) as {
        value: { id: string }[];
        '@odata.nextLink'?: string;
      };
      this.counts.lists++;
      ids.push(...page.value.map((e) => e.id));
      next = page['@odata.nextLink'];
    }
    await Promise.all(
      ids.map((id) =>
        this.request(async () => {
          await this.client.api(`/users/${encodeURIComponent(d.mailbox)}/events/${encodeURIComponent(id)}`).delete();
          this.counts.deletes++;
        }),
      ),
    );
    await this.createAll(d.mailbox, d.events);
    return d.events.length;
  }
}
