import { randomBytes } from 'node:crypto';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';

/**
 * A publisher and a private topology (queue and exchanges named per test file) on the real local
 * RabbitMQ, so test files never see each other's messages.
 */
export interface AmqpFixture {
  url: string;
  queue: string;
  fsExchange: string;
  tpExchange: string;
  /** Bound with `#`: for routing keys outside the IntArk patterns. */
  otherExchange: string;
  bindings: { exchange: string; pattern: string }[];
  publisher: ConfirmChannel;
  /** The exchange whose binding a routing key matches. */
  exchangeFor(routingKey: string): string;
  publish(exchange: string, routingKey: string, body: Buffer | string | object): Promise<void>;
  /** Ready (not unacknowledged) messages in a queue. */
  readyCount(queue: string): Promise<number>;
  /** A throwaway channel: a failed declaration closes it, so each check gets its own. */
  onFreshChannel<T>(fn: (ch: amqp.Channel) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function amqpUrl(): string {
  const url = process.env.AMQP_URL;
  if (!url) throw new Error('AMQP_URL is not set: run the tests with `npm test`');
  return url;
}

export async function createAmqpFixture(label: string): Promise<AmqpFixture> {
  const url = amqpUrl();
  const id = `${label}-${randomBytes(4).toString('hex')}`;
  const queue = `kada-test-${id}`;
  const fsExchange = `ex_fs-${id}`;
  const tpExchange = `ex_tp-${id}`;
  const otherExchange = `ex_other-${id}`;
  const model: ChannelModel = await amqp.connect(url);
  model.on('error', () => undefined);
  const publisher = await model.createConfirmChannel();
  const onFreshChannel = async <T>(fn: (ch: amqp.Channel) => Promise<T>): Promise<T> => {
    const ch = await model.createChannel();
    ch.on('error', () => undefined);
    try {
      return await fn(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  };
  return {
    url,
    queue,
    fsExchange,
    tpExchange,
    otherExchange,
    bindings: [
      { exchange: fsExchange, pattern: 'no.uio.fs.#' },
      { exchange: tpExchange, pattern: 'no.uio.tp.#' },
      { exchange: otherExchange, pattern: '#' },
    ],
    publisher,
    exchangeFor(routingKey) {
      return /^no\.uio\.fs\./.test(routingKey)
        ? fsExchange
        : /^no\.uio\.tp\./.test(routingKey)
          ? tpExchange
          : otherExchange;
    },
    async publish(exchange, routingKey, body) {
      const content = Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      publisher.publish(exchange, routingKey, content, { persistent: true, contentType: 'application/json' });
      await publisher.waitForConfirms();
    },
    readyCount: (q) => onFreshChannel(async (ch) => (await ch.checkQueue(q)).messageCount),
    onFreshChannel,
    async close() {
      await onFreshChannel(async (ch) => {
        for (const q of [queue, `${queue}.dead`]) await ch.deleteQueue(q).catch(() => undefined);
      }).catch(() => undefined);
      await onFreshChannel(async (ch) => {
        for (const e of [fsExchange, tpExchange, otherExchange]) await ch.deleteExchange(e).catch(() => undefined);
      }).catch(() => undefined);
      await model.close().catch(() => undefined);
    },
  };
}

/** Polls until `check` returns a truthy value (or throws on timeout): no fixed sleeps in tests. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${opts.what ?? 'a condition'}${last ? `: ${(last as Error).message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}
