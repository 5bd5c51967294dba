import type { ConsumeMessage } from 'amqplib';
import { backoffMs } from '../domain/backoff';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import { recordError } from '../store/errors';
import type { Queryable } from '../store/queryable';
import { closeSession, type ConnectFn, connectBroker, openSession, type Session } from './brokerSession';
import { deadLetterRecord } from './deadLetter';
import { storeNotification } from './inboxStore';
import { parseNotification, type Notification } from './parseNotification';
import { publishDeadLetter, rejectedOf } from './publishDeadLetter';

/**
 * Moves IntArk notifications from RabbitMQ into the durable inbox. A message is acknowledged only
 * after its inbox row is committed; one that cannot be parsed goes to `<queue>.dead` (confirmed)
 * and the errors table, then is acknowledged, so it can never loop. While the database is down a
 * message stays unacknowledged and its insert is retried; prefetch bounds how many wait at once.
 * A lost connection or channel is re-established with the shared backoff (domain/backoff.ts).
 */

export interface ConsumerOptions {
  url: string;
  queue: string;
  bindings: { exchange: string; pattern: string }[];
  prefetch: number;
  db: Queryable;
  logger: Logger;
  metrics?: Metrics;
  /** Called after a new actionable notification is committed (wakes the planner). */
  onStored?: (n: Notification) => void;
  /** Replaces amqplib's connect (tests reach the socket through it). */
  connect?: ConnectFn;
  /** TLS options for amqps: (amqpTls.ts). */
  socketOptions?: Record<string, unknown>;
  reconnectDelayMs?: { initial: number; max: number };
  dbRetryDelayMs?: { initial: number; max: number };
}

class Unstorable extends Error {}

export class NotificationConsumer {
  private session: Session | null = null;
  private stopping = false;
  private running: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped: Promise<'stopping'> = new Promise(() => undefined);
  private signalStop: () => void = () => undefined;
  private readonly connectedWaiters = new Set<() => void>();
  private readonly log: Logger;

  constructor(private readonly opts: ConsumerOptions) {
    this.log = opts.logger.child({ component: 'intake', queue: opts.queue });
  }

  /** Starts connecting in the background; `whenConnected()` waits for the first consumer. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.stopped = new Promise((resolve) => (this.signalStop = () => resolve('stopping')));
    this.running = this.run();
  }

  isConnected(): boolean {
    return this.session !== null && !this.session.closed && this.session.consumerTag !== null;
  }

  whenConnected(timeoutMs = 30_000): Promise<void> {
    if (this.isConnected()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.connectedWaiters.delete(done);
        reject(new Error(`not connected to the broker within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.connectedWaiters.add(done);
    });
  }

  /** Stops consuming, lets in-flight messages finish (up to `graceMs`), then closes the connection. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.signalStop();
    const s = this.session;
    if (s && !s.closed && s.consumerTag) await s.channel.cancel(s.consumerTag).catch(() => undefined);
    if (this.inFlight.size) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
    }
    await this.running;
    this.running = null;
    // Unacknowledged messages go back to the queue when the connection closes.
    if (this.session) await this.close(this.session, 'stopping');
  }

  private async run(): Promise<void> {
    const delays = this.opts.reconnectDelayMs ?? { initial: 500, max: 30_000 };
    let attempt = 0;
    while (!this.stopping) {
      let why: string;
      try {
        const s = await this.open();
        attempt = 0;
        for (const w of [...this.connectedWaiters]) w();
        this.connectedWaiters.clear();
        this.log.info('consuming notifications');
        why = await Promise.race([s.lost, this.stopped]);
        if (this.stopping) break;
        await this.close(s, why);
      } catch (err) {
        why = (err as Error).message;
      }
      if (this.stopping) break;
      const wait = backoffMs(++attempt, { baseMs: delays.initial, capMs: delays.max }, Math.random);
      this.log.warn({ reason: why, retryInMs: Math.round(wait) }, 'broker connection lost; reconnecting');
      await this.sleep(wait);
    }
  }

  private async open(): Promise<Session> {
    const model = await connectBroker(this.opts.url, this.opts.connect, this.opts.socketOptions);
    const topology = { queue: this.opts.queue, bindings: this.opts.bindings };
    const s = await openSession(model, topology, this.opts.prefetch, this.log);
    try {
      this.session = s;
      const { consumerTag } = await s.channel.consume(this.opts.queue, (msg) => this.onMessage(s, msg), {
        noAck: false,
      });
      if (s.closed) throw new Error(await s.lost);
      s.consumerTag = consumerTag;
      return s;
    } catch (err) {
      await this.close(s, 'setup failed');
      throw err;
    }
  }

  private async close(s: Session, why: string): Promise<void> {
    if (this.session === s) this.session = null;
    await closeSession(s, why);
  }

  private onMessage(s: Session, msg: ConsumeMessage | null): void {
    // null: the broker cancelled the consumer (the queue was deleted); reconnecting redeclares it.
    if (msg === null) {
      s.lose('consumer cancelled by the broker');
      return;
    }
    const task = this.handle(s, msg).catch((err) => {
      // Unexpected: leave the message unacknowledged; it is redelivered after the reconnect.
      this.log.error(
        { error: (err as Error).message },
        'notification handling failed; reconnecting to get it redelivered',
      );
      s.lose('handler failed');
    });
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private async handle(s: Session, msg: ConsumeMessage): Promise<void> {
    const routingKey = msg.fields.routingKey;
    const parsed = parseNotification(routingKey, msg.content);
    if (!parsed.ok) {
      this.opts.metrics?.notificationsReceived.inc({ format: 'invalid' });
      await this.deadLetter(s, msg, parsed.code, parsed.reason);
      return;
    }
    const n = parsed.notification;
    this.opts.metrics?.notificationsReceived.inc({ format: n.format });
    let outcome: 'stored' | 'duplicate' | 'gave_up';
    try {
      outcome = await this.withDbRetry(s, `store notification ${n.id}`, () =>
        storeNotification(this.opts.db, n, routingKey),
      );
    } catch (err) {
      if (!(err instanceof Unstorable)) throw err;
      await this.deadLetter(s, msg, 'NOTIFICATION_UNSTORABLE', `the database refused it: ${err.message.slice(0, 200)}`);
      return;
    }
    if (outcome === 'gave_up') return;
    const log = this.log.child({ notificationId: n.id });
    if (outcome === 'duplicate') {
      this.opts.metrics?.notificationsDuplicate.inc();
      log.debug('duplicate notification dropped');
    } else if (n.action.kind === 'ignored') {
      this.opts.metrics?.notificationsIgnored.inc({ reason: n.action.code });
      log.debug({ reason: n.action.reason }, 'notification ignored');
    } else {
      log.debug({ action: n.action }, 'notification stored');
      this.opts.onStored?.(n);
    }
    this.ack(s, msg);
  }

  private async deadLetter(s: Session, msg: ConsumeMessage, code: string, reason: string): Promise<void> {
    await publishDeadLetter(s.confirm, this.opts.queue, msg, code, reason, new Date());
    const record = deadLetterRecord(rejectedOf(msg), code, reason);
    const recorded = await this.withDbRetry(s, 'record a dead letter', () =>
      recordError(this.opts.db, record).then(() => 'stored' as const),
    ).catch((err) => {
      // The DLQ holds the message; a record the database refuses is not worth a redelivery loop.
      this.log.error({ error: (err as Error).message, code }, 'could not record a dead-lettered notification');
      return 'stored' as const;
    });
    if (recorded === 'gave_up') return;
    this.opts.metrics?.notificationsDeadLettered.inc({ code });
    this.log.warn(
      {
        code,
        reason,
        routingKey: record.details && (record.details as { routingKey: string }).routingKey,
        notificationId: record.notificationId,
      },
      'notification dead-lettered',
    );
    this.ack(s, msg);
  }

  /**
   * Runs a database write until it succeeds. A refused value (SQLSTATE class 22) will never
   * succeed and throws Unstorable; anything else (connection refused, shutdown, failover) is
   * waited out. Gives up, leaving the message unacknowledged, only when the channel or kada stops.
   */
  private async withDbRetry<T>(s: Session, what: string, fn: () => Promise<T>): Promise<T | 'gave_up'> {
    const delays = this.opts.dbRetryDelayMs ?? { initial: 100, max: 5_000 };
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const code = String((err as { code?: unknown }).code ?? '');
        if (/^22[0-9A-Z]{3}$/.test(code)) throw new Unstorable((err as Error).message);
        if (s.closed || this.stopping) return 'gave_up';
        const wait = backoffMs(attempt + 1, { baseMs: delays.initial, capMs: delays.max }, Math.random);
        if (attempt === 0 || attempt % 10 === 0) {
          this.log.warn(
            { error: (err as Error).message, code, attempt, retryInMs: Math.round(wait) },
            `database unavailable; will retry to ${what}`,
          );
        }
        await Promise.race([this.sleep(wait), s.lost]);
        if (s.closed || this.stopping) return 'gave_up';
      }
    }
  }

  private ack(s: Session, msg: ConsumeMessage): void {
    // On a closed channel the broker has already requeued the message; the inbox drops the redelivery.
    if (s.closed) return;
    try {
      s.channel.ack(msg);
    } catch (err) {
      this.log.warn(
        { error: (err as Error).message },
        'could not acknowledge; the message will be redelivered and deduplicated',
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
      this.stopped.then(() => undefined),
    ]).finally(() => clearTimeout(timer));
  }
}
