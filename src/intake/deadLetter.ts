import type { ErrorRecord } from '../store/errors';
import { printable } from './inboxStore';

/**
 * What a dead-lettered notification carries and how it is recorded for the admin. Pure, so the
 * consumer only publishes and inserts what this builds.
 */

export const DEAD_LETTER_HEADERS = {
  error: 'x-kada-error',
  code: 'x-kada-error-code',
  routingKey: 'x-kada-routing-key',
  exchange: 'x-kada-exchange',
  deadLetteredAt: 'x-kada-dead-lettered-at',
} as const;

export interface RejectedMessage {
  routingKey: string;
  exchange: string;
  content: Buffer;
  headers?: Record<string, unknown>;
}

export const deadLetterQueue = (queue: string) => `${queue}.dead`;

export function deadLetterHeaders(
  m: RejectedMessage,
  code: string,
  reason: string,
  now: Date,
): Record<string, unknown> {
  return {
    ...(m.headers ?? {}),
    [DEAD_LETTER_HEADERS.error]: `${code}: ${reason}`,
    [DEAD_LETTER_HEADERS.code]: code,
    [DEAD_LETTER_HEADERS.routingKey]: m.routingKey,
    [DEAD_LETTER_HEADERS.exchange]: m.exchange,
    [DEAD_LETTER_HEADERS.deadLetteredAt]: now.toISOString(),
  };
}

const PREVIEW_CHARS = 2000;

/** The `errors` row an admin sees (`GET /api/errors`); the body preview helps find the sender. */
export function deadLetterRecord(m: RejectedMessage, code: string, reason: string): ErrorRecord {
  const text = m.content.subarray(0, PREVIEW_CHARS * 4).toString('utf8');
  return {
    kind: 'dead_letter',
    code,
    message: printable(`notification dead-lettered: ${reason}`, 2000),
    notificationId: guessNotificationId(text),
    details: {
      routingKey: printable(m.routingKey, 255),
      exchange: printable(m.exchange, 255),
      bytes: m.content.length,
      // jsonb refuses NUL; everything else of the body is kept as sent.
      bodyPreview: text.slice(0, PREVIEW_CHARS).replace(/\u0000/g, '\ufffd'),
    },
  };
}

/** The jti or id of a body we could not accept, if one can be read from it at all. */
function guessNotificationId(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const id = typeof v.jti === 'string' ? v.jti : typeof v.id === 'string' ? v.id : null;
  return id && id.length <= 200 && !/[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/.test(id) ? id : null;
}
