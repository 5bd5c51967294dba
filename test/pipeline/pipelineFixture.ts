import type { AmqpFixture } from '../intake/amqpFixture';

export { CLI, freePort } from '../../testkit/support/kadaProcess';

/** kada's AMQP variables for a per-file queue and exchanges, so files never share a queue. */
export function amqpEnv(fx: AmqpFixture): Record<string, string> {
  return {
    AMQP_URL: fx.url,
    AMQP_QUEUE: fx.queue,
    AMQP_BINDINGS: fx.bindings.map((b) => `${b.exchange}:${b.pattern}`).join(','),
  };
}

export type { KadaChild as KadaProcess } from '../../testkit/support/kadaProcess';
/** `node dist/src/cli/main.js run` with the given environment, as a container would start it. */
export { startKada as startKadaRun } from '../../testkit/support/kadaProcess';
