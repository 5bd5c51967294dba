import type { Logger } from '../log/logger';
import { feedBody, feedByTokenHash, type FeedRecord } from '../store/icsFeeds';
import { buildFeed, FS_MAX_AGE_MS, FeedPersonGoneError, type FeedContext, fingerprint } from './buildFeed';
import { parseSubject } from './feedSubject';
import { tokenHash } from './feedToken';

/**
 * GET /ics/<token>.ics (rooms-ics.md). Every request hashes what it was given and runs one statement
 * that looks the hash up through its unique index, whatever the token looks like, so an unknown,
 * malformed or revoked token takes the same path and gets the same 404; for a feed found, the same
 * statement reads its sources' versions, so an unchanged feed is answered after it alone.
 * A known feed is answered from its stored build while its sources are unchanged: the person's row
 * (a person job ran, so FS may have changed; FS is also read again after an hour) and the stored TP
 * copy of each of their courses, which the planner replaces seconds after a TP change. Only a change
 * builds the feed again; a source that cannot be read then leaves the last good build in place (or
 * 503 when there is none), never an empty feed.
 */

export type FeedAnswer =
  | { status: 404 }
  | { status: 503 }
  | { status: 304; etag: string }
  | { status: 200; etag: string; body: string };

const NOT_FOUND: FeedAnswer = { status: 404 };

/** If-None-Match (RFC 9110 13.1.2): `*` or a list of entity tags, compared weakly. */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return value.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

async function stored(ctx: FeedContext, feed: FeedRecord, ifNoneMatch: string | string[] | undefined) {
  const etag = feed.etag;
  if (!etag) return null;
  if (etagMatches(ifNoneMatch, etag)) return { status: 304 as const, etag };
  const body = await feedBody(ctx.db, feed.id);
  return body === null ? null : { status: 200 as const, etag, body };
}

export async function answerFeed(
  ctx: FeedContext & { logger: Logger },
  token: string,
  ifNoneMatch: string | string[] | undefined,
  now = Date.now(),
): Promise<FeedAnswer> {
  const found = await feedByTokenHash(ctx.db, tokenHash(token), ctx.config.semesters);
  if (!found) return NOT_FOUND;
  const { feed, versions } = found;
  const { personId } = parseSubject(feed.subject);
  const fsFresh = !personId || (feed.enrolmentAt !== null && now - feed.enrolmentAt.getTime() < FS_MAX_AGE_MS);
  const personSame = (versions.person?.getTime() ?? null) === (feed.personSeen?.getTime() ?? null);
  if (fsFresh && personSame && feed.sources === fingerprint(ctx.config, versions.person, versions.courses)) {
    const answer = await stored(ctx, feed, ifNoneMatch);
    if (answer) return answer;
  }
  try {
    const built = await buildFeed(ctx, feed, versions.person, fsFresh && personSame);
    return etagMatches(ifNoneMatch, built.etag) ? { status: 304, etag: built.etag } : { status: 200, ...built };
  } catch (err) {
    const last = await stored(ctx, feed, ifNoneMatch);
    const log = { personId: feed.subject, error: (err as Error).message, code: (err as { code?: string }).code };
    if (err instanceof FeedPersonGoneError) {
      ctx.logger.warn(log, 'ICS feed: FS no longer knows the person; the last feed is kept');
      return last ?? { status: 503 };
    }
    ctx.logger.warn(log, last ? 'ICS feed: a source failed, the last good feed is served' : 'ICS feed: no feed yet');
    return last ?? { status: 503 };
  }
}
