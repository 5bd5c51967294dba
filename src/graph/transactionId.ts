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

/** How far `generationFromTransactionId` looks: generations grow by one per re-create of a key. */
const GENERATIONS_SEARCHED = 256;

/**
 * The generation an event of kada's was created with, from the transactionId Graph returns for it:
 * after a lost database, adopting an event by its markers also restores the generation its next
 * re-create must exceed, so that re-create never reuses the transactionId of an event it replaces.
 * Null when the transactionId is absent or not one of kada's for this mailbox and key.
 */
export function generationFromTransactionId(
  mailbox: string,
  key: string,
  transactionId: string | null | undefined,
): number | null {
  if (!transactionId) return null;
  for (let g = 0; g < GENERATIONS_SEARCHED; g++)
    if (transactionIdFor(mailbox, transactionKeyOf(key, g)) === transactionId) return g;
  return null;
}
