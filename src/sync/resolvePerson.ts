import type { Config } from '../config/config';
import { findPerson } from '../store/persons';
import type { Queryable } from '../store/queryable';
import type { FsSource } from '../domain/ports';

/**
 * Turns what an admin types (personlopenummer, username or e-mail) into a personlopenummer.
 * kada's own records are asked first; FS is asked by username (the only look-up fs.md offers),
 * which also covers an e-mail whose local part is the username. Null: nobody by that name.
 */
export async function resolvePerson(
  ctx: { db: Queryable; fs: FsSource; config: Pick<Config, 'mailbox'> },
  query: string,
): Promise<string | null> {
  const q = query.trim();
  if (!q || q.length > 254 || /[\s/\\?#]/.test(q)) return null;
  const known = await findPerson(ctx.db, q);
  if (known) return known.personId;
  if (/^\d{1,12}$/.test(q)) return (await ctx.fs.getPerson(q))?.personId ?? null;
  if (q.includes('@')) {
    const [local] = q.split('@');
    if (!local) return null;
    const p = await ctx.fs.findByUsername(local);
    if (!p) return null;
    const matches =
      p.email?.toLowerCase() === q.toLowerCase() ||
      (ctx.config.mailbox.from === 'username' &&
        `${p.username}@${ctx.config.mailbox.domain}`.toLowerCase() === q.toLowerCase());
    return matches ? p.personId : null;
  }
  return (await ctx.fs.findByUsername(q))?.personId ?? null;
}
