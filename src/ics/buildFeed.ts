import { createHash } from 'node:crypto';
import type { Config } from '../config/config';
import type { FsSource, TpSource } from '../domain/ports';
import {
  type FeedEnrolment,
  type FeedRecord,
  feedEnrolment,
  saveBuild,
  sourceVersions,
  stampComponents,
} from '../store/icsFeeds';
import type { Queryable } from '../store/queryable';
import { enrolledCourses, readEnrolment, wantedFrom } from '../sync/readWanted';
import { feedComponents } from './feedComponents';
import { parseSubject } from './feedSubject';
import { renderCalendar } from './renderCalendar';

/**
 * Builds a feed from the sources, the same way a person job computes the mailbox's desired events
 * (sync/readWanted.ts), and keeps the result with the feed for every replica to serve.
 */

export type FeedContext = { db: Queryable; fs: FsSource; tp: TpSource; config: Config };

/** FS is read again at least this often even when no person job touched the person. */
export const FS_MAX_AGE_MS = 3_600_000;

/** Bumped when the rendering changes, so every stored build is made again. */
const FORMAT = 1;

/** What a build depends on: the configuration that shapes content, the person's row, their courses' copies. */
export function fingerprint(config: Config, person: Date | null, courses: readonly string[]): string {
  const shape = {
    format: FORMAT,
    institution: config.institution,
    timezone: config.timezone,
    language: config.language,
    seriesMode: config.seriesMode,
    semesters: config.semesters,
    name: config.calendar.name,
  };
  const text = JSON.stringify({ shape, person: person?.getTime() ?? null, courses });
  return createHash('sha256').update(text).digest('hex');
}

export const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;

/** FS no longer knows the person: the caller keeps the last feed rather than serving an emptied one. */
export class FeedPersonGoneError extends Error {
  readonly code = 'ICS_PERSON_GONE';
}

/**
 * `personVersion` is the person's row as read before this build started, so a person job finishing
 * meanwhile shows as a change at the next request. The fingerprint is read before TP is, for the same
 * reason: whatever changes after it makes the next request build again.
 */
export async function buildFeed(
  ctx: FeedContext,
  feed: FeedRecord,
  personVersion: Date | null,
  reuseFs: boolean,
): Promise<{ etag: string; body: string }> {
  const { config } = ctx;
  const { personId, tpUsername } = parseSubject(feed.subject);
  let enrolment: FeedEnrolment;
  let enrolmentAt: Date | null = null;
  if (!personId) {
    enrolment = { username: tpUsername, registrations: [], roles: [] };
  } else {
    const kept = reuseFs ? await feedEnrolment(ctx.db, feed.id) : null;
    if (kept) {
      enrolment = kept;
      enrolmentAt = feed.enrolmentAt;
    } else {
      enrolmentAt = new Date();
      const person = await ctx.fs.getPerson(personId);
      if (!person) throw new FeedPersonGoneError(`person ${personId} is not known to FS`);
      enrolment = { username: person.username, ...(await readEnrolment(ctx, personId)) };
    }
  }
  const courses = enrolledCourses(enrolment, config.semesters);
  const versions = await sourceVersions(ctx.db, {
    personId,
    courses,
    username: enrolment.username,
    semesters: config.semesters,
  });
  const sources = fingerprint(config, personVersion, versions.courses);

  const wanted = await wantedFrom(ctx, { personId: feed.subject, username: enrolment.username }, enrolment, {});
  const components = feedComponents(wanted.events, { institution: config.institution, timezone: config.timezone });
  const stamps = await stampComponents(ctx.db, feed.id, components);
  const body = renderCalendar(components, stamps, { timezone: config.timezone, name: config.calendar.name });
  const etag = etagOf(body);
  await saveBuild(ctx.db, feed.id, {
    enrolment: personId ? enrolment : null,
    enrolmentAt,
    personSeen: personVersion,
    courses,
    sources,
    etag,
    body,
  });
  return { etag, body };
}
