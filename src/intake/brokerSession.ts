import { hostname } from 'node:os';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from '../log/logger';
import { type AmqpTopology, declareTopology } from './topology';

/** amqplib's connect, or what a test puts in its place to reach the socket. */
export type ConnectFn = (url: string, socketOptions: Record<string, unknown>) => Promise<ChannelModel>;

/** One connection to the broker with its two channels: consuming, and confirmed publishing to the DLQ. */
export interface Session {
  model: ChannelModel;
  channel: Channel;
  confirm: ConfirmChannel;
  consumerTag: string | null;
  closed: boolean;
  /** Resolves with the reason once the connection or a channel is gone. */
  lost: Promise<string>;
  lose(why: string): void;
}

const CLOSE_TIMEOUT_MS = 2_000;

/** Dials the broker: the one place kada opens an AMQP connection. */
export function connectBroker(
  url: string,
  connect?: ConnectFn,
  socketOptions: Record<string, unknown> = {},
): Promise<ChannelModel> {
  const dial: ConnectFn = connect ?? ((u, o) => amqp.connect(u, o));
  return dial(url, { ...socketOptions, clientProperties: { connection_name: `kada ${hostname()}:${process.pid}` } });
}

/** A session on a fresh connection: channels open, topology declared, prefetch set; not yet consuming. */
export async function openSession(
  model: ChannelModel,
  topology: AmqpTopology,
  prefetch: number,
  log: Logger,
): Promise<Session> {
  let lose!: (why: string) => void;
  const lost = new Promise<string>((resolve) => (lose = resolve));
  const s: Session = {
    model,
    channel: null as unknown as Channel,
    confirm: null as unknown as ConfirmChannel,
    consumerTag: null,
    closed: false,
    lost,
    lose: (why) => {
      if (s.closed) return;
      s.closed = true;
      lose(why);
    },
  };
  model.on('error', (err: Error) => log.warn({ error: err.message }, 'broker connection error'));
  model.on('close', () => s.lose('connection closed'));
  try {
    s.channel = await model.createChannel();
    s.confirm = await model.createConfirmChannel();
    for (const ch of [s.channel, s.confirm]) {
      ch.on('error', (err: Error) => log.warn({ error: err.message }, 'broker channel error'));
      ch.on('close', () => s.lose('channel closed'));
    }
    await declareTopology(s.channel, topology);
    await s.channel.prefetch(prefetch);
    return s;
  } catch (err) {
    await closeSession(s, 'setup failed');
    throw err;
  }
}

/** Closes the connection; unacknowledged messages go back to the queue. */
export async function closeSession(s: Session, why: string): Promise<void> {
  s.lose(why);
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    s.model.close().then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), CLOSE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  // A half-dead socket never answers the close handshake; drop it so it cannot keep the process alive.
  if (!closed) (s.model.connection as unknown as { stream?: { destroy?: () => void } }).stream?.destroy?.();
}
