import { createHash } from 'node:crypto';

/**
 * Graph de-duplicates creates by `transactionId`. Deriving it from mailbox + key means a create that
 * failed with 5xx but did land is answered with the same event when retried, even from another process.
 */
export function transactionIdFor(mailbox: string, key: string): string {
  const h = createHash('sha256').update(`${mailbox.toLowerCase()}\n${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * What names one create of a key for `transactionIdFor`: the key and its generation. A re-create (a
 * replacement series, an event the person deleted, a re-fill after a lost calendar) takes a new
 * generation, so Graph cannot answer it with the event it replaces; a retry of the same create keeps
 * it. Generation 0 is the key alone, as before generations existed.
 */
export function transactionKeyOf(key: string, generation: number): string {
  return generation > 0 ? `${key}#${generation}` : key;
}
