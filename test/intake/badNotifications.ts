import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The malformed-notification corpus in test/fixtures/bad/notifications (format in its README). */
export interface BadNotification {
  name: string;
  description: string;
  routingKey: string;
  body: Buffer;
  expectCode: string;
}

export const BAD_NOTIFICATIONS_DIR = path.resolve(__dirname, '../fixtures/bad/notifications');

export function loadBadNotifications(): BadNotification[] {
  return readdirSync(BAD_NOTIFICATIONS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const c = JSON.parse(readFileSync(path.join(BAD_NOTIFICATIONS_DIR, file), 'utf8'));
      return {
        name: file.replace(/\.json$/, ''),
        description: c.description,
        routingKey: c.routingKey,
        body: bodyOf(c),
        expectCode: c.expectCode,
      };
    });
}

function bodyOf(c: { body?: unknown; bodyText?: string; bodyBase64?: string; padToBytes?: number }): Buffer {
  if (c.bodyBase64 !== undefined) return Buffer.from(c.bodyBase64, 'base64');
  if (c.bodyText !== undefined) return Buffer.from(c.bodyText, 'utf8');
  if (c.padToBytes && typeof c.body === 'object' && c.body !== null && !Array.isArray(c.body)) {
    const base = Buffer.byteLength(JSON.stringify({ ...c.body, padding: '' }));
    return Buffer.from(JSON.stringify({ ...c.body, padding: 'x'.repeat(Math.max(0, c.padToBytes - base)) }));
  }
  return Buffer.from(JSON.stringify(c.body));
}
