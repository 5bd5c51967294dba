import amqp, { type Channel, type ChannelModel } from 'amqplib';
import type { Config } from '../config/config';
import { amqpSocketOptions } from '../intake/amqpTls';
import { deadLetterQueue } from '../intake/deadLetter';
import { declareTopology } from '../intake/topology';
import { type CheckLine, errorText, fail, pass } from './check';

/**
 * RabbitMQ reachable with AMQP_URL, and kada's queue, dead-letter queue and bindings in place
 * (intark.md "Topology"). AMQP 0-9-1 cannot list a queue's bindings, so the doctor declares the
 * topology exactly as every `kada run` connect does: idempotent, and it proves the broker lets
 * kada do it. A queue made earlier with other arguments (not quorum) is refused here, as it would
 * be at run time.
 */
export async function checkBroker(amqpConfig: Config['amqp']): Promise<CheckLine> {
  let conn: ChannelModel;
  try {
    conn = await amqp.connect(amqpConfig.url, { ...amqpSocketOptions(amqpConfig), timeout: 10_000 });
  } catch (err) {
    return fail(
      'broker',
      `RabbitMQ unreachable: ${errorText(err)}`,
      'check AMQP_URL (host, port, vhost, user, password) and that the broker is running',
    );
  }
  conn.on('error', () => undefined);
  try {
    const before = await existingQueue(conn, amqpConfig.queue);
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    try {
      await declareTopology(ch, { queue: amqpConfig.queue, bindings: amqpConfig.bindings });
    } catch (err) {
      const text = errorText(err);
      return fail(
        'broker',
        `could not declare queue ${amqpConfig.queue} and its bindings: ${text}`,
        /PRECONDITION_FAILED/.test(text)
          ? `queue ${amqpConfig.queue} exists with other arguments than kada's (a quorum queue dead-lettering to ` +
              `${deadLetterQueue(amqpConfig.queue)}): delete it when it is empty, or set AMQP_QUEUE to another name`
          : 'give the AMQP user configure, write and read permission on the vhost for the queue and exchanges',
      );
    }
    await ch.close().catch(() => undefined);
    const bindings = amqpConfig.bindings.map((b) => `${b.exchange}:${b.pattern}`).join(', ');
    const state = before
      ? `${before.messageCount} message(s) waiting, ${before.consumerCount} consumer(s)`
      : 'created now, kada run will consume it';
    return pass(
      'broker',
      `queue ${amqpConfig.queue} (${state}), dead-letter queue ${deadLetterQueue(amqpConfig.queue)}, bindings ` +
        `${bindings}`,
    );
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** The queue as it was before the doctor came (a passive declare), or null when it did not exist. */
async function existingQueue(conn: ChannelModel, queue: string) {
  let ch: Channel | undefined;
  try {
    ch = await conn.createChannel();
    ch.on('error', () => undefined);
    const q = await ch.checkQueue(queue);
    await ch.close().catch(() => undefined);
    return q;
  } catch {
    // 404 NOT_FOUND closes the channel: the queue does not exist yet.
    return null;
  }
}
