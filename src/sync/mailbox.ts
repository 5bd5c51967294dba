import type { Config } from '../config/config';
import type { FsPerson } from '../domain/types';

/** The Exchange mailbox of a person: FS `epost`, or `brukernavn@MAIL_DOMAIN` (fs.md). Null = none. */
export function mailboxOf(person: FsPerson, from: Config['mailbox']): string | null {
  if (from.from === 'username') {
    return person.username && from.domain ? `${person.username}@${from.domain}`.toLowerCase() : null;
  }
  const email = person.email?.trim();
  return email && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? email.toLowerCase() : null;
}
