import type { Config } from '../config/config';
import type { FsSource } from '../domain/ports';
import { coursesNamingStaff } from '../store/courses';
import type { Queryable } from '../store/queryable';
import { resolvePerson } from '../sync/resolvePerson';

/**
 * Whose feed it is (rooms-ics.md): a person FS knows, by personlopenummer, username or e-mail as
 * elsewhere, or `tp:<username>` for a TP staff member without an FS record, whose feed is built from
 * TP alone (the occurrences naming them among the staff). The subject stored is the personlopenummer
 * or `tp:<lower-cased username>`.
 */

const TP_PREFIX = 'tp:';
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function parseSubject(subject: string): { personId: string | null; tpUsername: string | null } {
  return subject.startsWith(TP_PREFIX)
    ? { personId: null, tpUsername: subject.slice(TP_PREFIX.length) }
    : { personId: subject, tpUsername: null };
}

/** The subject for what an admin typed, or null when nobody by that name has a timetable kada can see. */
export async function resolveFeedSubject(
  ctx: { db: Queryable; fs: FsSource; config: Pick<Config, 'mailbox' | 'semesters'> },
  query: string,
): Promise<string | null> {
  const q = query.trim();
  if (q.toLowerCase().startsWith(TP_PREFIX)) {
    const username = q.slice(TP_PREFIX.length).toLowerCase();
    if (!USERNAME.test(username)) return null;
    // TP names its staff in the stored timetables; nobody there means nothing to serve.
    const courses = await coursesNamingStaff(ctx.db, username, ctx.config.semesters);
    return courses.length > 0 ? `${TP_PREFIX}${username}` : null;
  }
  return resolvePerson(ctx, q);
}
