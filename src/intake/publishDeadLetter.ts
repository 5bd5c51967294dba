import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { deadLetterHeaders, deadLetterQueue, type RejectedMessage } from './deadLetter';

/** What a consumed message was, as the dead-letter helpers need it. */
export function rejectedOf(msg: ConsumeMessage): RejectedMessage {
  return {
    routingKey: msg.fields.routingKey,
    exchange: msg.fields.exchange,
    content: msg.content,
    headers: msg.properties.headers,
  };
}

/**
 * Publishes a copy of the message to `<queue>.dead`, its properties kept and the reason added as
 * headers; resolves once the broker has confirmed it, so the original may then be acknowledged.
 */
export function publishDeadLetter(
  confirm: ConfirmChannel,
  queue: string,
  msg: ConsumeMessage,
  code: string,
  reason: string,
  now: Date,
): Promise<void> {
  const p = msg.properties;
  return new Promise<void>((resolve, reject) => {
    try {
      confirm.publish(
        '',
        deadLetterQueue(queue),
        msg.content,
        {
          persistent: true,
          headers: deadLetterHeaders(rejectedOf(msg), code, reason, now),
          contentType: p.contentType,
          contentEncoding: p.contentEncoding,
          messageId: p.messageId,
          correlationId: p.correlationId,
          timestamp: p.timestamp,
          type: p.type,
          appId: p.appId,
        },
        (err) => (err ? reject(err) : resolve()),
      );
    } catch (err) {
      reject(err);
    }
  });
}
