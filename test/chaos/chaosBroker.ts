import { randomBytes } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { DEAD_LETTER_HEADERS } from '../../src/intake/deadLetter';
import { declareTopology } from '../../src/intake/topology';

/**
 * The IntArk side of a chaos run: a per-file queue and exchanges on the real RabbitMQ, and a
 * publisher that outlives broker restarts (it reconnects and republishes until the broker confirms).
 * Publishing a message twice is harmless: kada drops the second copy by its jti.
 */
export class ChaosBroker {
  readonly queue: string;
  readonly fsExchange: string;
  readonly tpExchange: string;
  private model: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private connecting: Promise<ConfirmChannel> | null = null;
  /** Dead letters read off `<queue>.dead` so far (the queue is drained as it is read). */
  readonly deadLetters: { jti: string | null; error: string; code: string }[] = [];

  constructor(
    readonly url: string,
    label: string,
  ) {
    const id = `${label}-${randomBytes(4).toString('hex')}`;
    this.queue = `kada-chaos-${id}`;
    this.fsExchange = `ex_fs-chaos-${id}`;
    this.tpExchange = `ex_tp-chaos-${id}`;
  }

  get bindings() {
    return [
      { exchange: this.fsExchange, pattern: 'no.uio.fs.#' },
      { exchange: this.tpExchange, pattern: 'no.uio.tp.#' },
    ];
  }

  /** kada's AMQP variables for this run. */
  env(): Record<string, string> {
    return {
      AMQP_URL: this.url,
      AMQP_QUEUE: this.queue,
      AMQP_BINDINGS: this.bindings.map((b) => `${b.exchange}:${b.pattern}`).join(','),
    };
  }

  /** Declares what kada declares, so messages published before kada first connects are kept. */
  async declare(): Promise<void> {
    await this.ensure();
  }

  private drop(): void {
    const m = this.model;
    this.model = null;
    this.channel = null;
    m?.close().catch(() => undefined);
  }

  private ensure(): Promise<ConfirmChannel> {
    if (this.channel) return Promise.resolve(this.channel);
    this.connecting ??= (async () => {
      const model = await amqp.connect(this.url);
      model.on('error', () => undefined);
      model.on('close', () => {
        if (this.model === model) {
          this.model = null;
          this.channel = null;
        }
      });
      const ch = await model.createConfirmChannel();
      ch.on('error', () => undefined);
      ch.on('close', () => {
        if (this.channel === ch) this.channel = null;
      });
      await declareTopology(ch, { queue: this.queue, bindings: this.bindings });
      this.model = model;
      this.channel = ch;
      return ch;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** Publishes until the broker confirms it (through restarts), or throws after `timeoutMs`. */
  async publish(routingKey: string, body: Buffer | object, timeoutMs = 180_000): Promise<void> {
    const exchange = routingKey.startsWith('no.uio.fs.') ? this.fsExchange : this.tpExchange;
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const ch = await this.ensure();
        ch.publish(exchange, routingKey, content, { persistent: true, contentType: 'application/json' });
        await ch.waitForConfirms();
        return;
      } catch (err) {
        this.drop();
        if (Date.now() > deadline) throw new Error(`could not publish to ${exchange}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async onFreshChannel<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
    await this.ensure();
    const ch = await this.model!.createChannel();
    ch.on('error', () => undefined);
    try {
      return await fn(ch);
    } finally {
      await ch.close().catch(() => undefined);
    }
  }

  /** Moves everything waiting in `<queue>.dead` into `deadLetters` and returns how many came. */
  async drainDeadLetters(): Promise<number> {
    return this.onFreshChannel(async (ch) => {
      let n = 0;
      for (;;) {
        const msg = await ch.get(`${this.queue}.dead`, { noAck: true });
        if (!msg) return n;
        n++;
        const headers = msg.properties.headers ?? {};
        let jti: string | null = null;
        try {
          const body = JSON.parse(msg.content.toString('utf8')) as { jti?: unknown; id?: unknown };
          jti = typeof body.jti === 'string' ? body.jti : typeof body.id === 'string' ? body.id : null;
        } catch {
          /* not JSON: counted, not attributable */
        }
        this.deadLetters.push({
          jti,
          error: String(headers[DEAD_LETTER_HEADERS.error] ?? ''),
          code: String(headers[DEAD_LETTER_HEADERS.code] ?? ''),
        });
      }
    });
  }

  async close(): Promise<void> {
    await this.onFreshChannel(async (ch) => {
      for (const q of [this.queue, `${this.queue}.dead`]) await ch.deleteQueue(q).catch(() => undefined);
      for (const e of [this.fsExchange, this.tpExchange]) await ch.deleteExchange(e).catch(() => undefined);
    }).catch(() => undefined);
    this.drop();
  }
}
