import type { Channel } from 'amqplib';
import { deadLetterQueue } from './deadLetter';

/**
 * The broker objects kada declares (shared/contracts/intark.md "Topology"). Declaring is
 * idempotent, so every (re)connect does it: a queue deleted by an operator comes back.
 */
export interface AmqpTopology {
  queue: string;
  bindings: { exchange: string; pattern: string }[];
}

/** Arguments of the consumer queue; a redeclare with different ones fails, so they live here only. */
export function queueArguments(queue: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    // A message the broker itself gives up on (e.g. a delivery limit) goes to the DLQ, not away.
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': deadLetterQueue(queue),
  };
}

export async function declareTopology(ch: Channel, t: AmqpTopology): Promise<void> {
  for (const exchange of new Set(t.bindings.map((b) => b.exchange))) {
    await ch.assertExchange(exchange, 'topic', { durable: true });
  }
  await ch.assertQueue(deadLetterQueue(t.queue), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.assertQueue(t.queue, { durable: true, arguments: queueArguments(t.queue) });
  for (const b of t.bindings) await ch.bindQueue(t.queue, b.exchange, b.pattern);
}
