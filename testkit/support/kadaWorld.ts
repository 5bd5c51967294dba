import { createAmqpFixture, type AmqpFixture } from '../../test/intake/amqpFixture';
import { amqpEnv } from '../../test/pipeline/pipelineFixture';
import { startHarness, type Harness } from './harness';
import { killHard, startKada, type KadaChild } from './kadaProcess';

/**
 * A harness (institution, emulators, database) plus a `kada run` child consuming a queue and
 * exchanges of its own: what the suites that drive kada through RabbitMQ start with.
 */
export interface KadaWorld {
  fx: AmqpFixture;
  h: Harness;
  kada: KadaChild;
  close(): Promise<void>;
}

export async function startKadaWorld(
  name: string,
  opts: { seed: number; students: number; workers: number },
): Promise<KadaWorld> {
  const fx = await createAmqpFixture(name);
  const h = await startHarness({ seed: opts.seed, students: opts.students, noContext: true, env: amqpEnv(fx) });
  const kada = await startKada(h.env, { KADA_WORKERS: String(opts.workers) });
  await kada.waitReady();
  return {
    fx,
    h,
    kada,
    async close() {
      await killHard(kada);
      await h.close();
      await fx.close();
    },
  };
}
