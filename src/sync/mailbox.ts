import type { Config } from '../config/config';
import type { FsPerson } from '../domain/types';

/**
 * An address kada will put into a Graph URL: one local part and a host name, the characters
 * Entra allows in a user principal name, and nothing that could read as a path, a query, an
 * escape or a second address (`/`, `\`, `?`, `%`, `,`, `;`, quotes, blanks). FS is trusted for who
 * has which mailbox, but a typo or an injected value there must not steer a write elsewhere.
 */
const MAILBOX = /^[\p{L}\p{N}._'+!#^~-]+@[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u;

/** The Exchange mailbox of a person: FS `epost`, or `brukernavn@MAIL_DOMAIN` (fs.md). Null = none. */
export function mailboxOf(person: FsPerson, from: Config['mailbox']): string | null {
  const address =
    from.from === 'username'
      ? person.username && from.domain
        ? `${person.username.trim()}@${from.domain}`
        : null
      : (person.email?.trim() ?? null);
  return address && MAILBOX.test(address) ? address.toLowerCase() : null;
}
