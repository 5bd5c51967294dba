import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import type { AmqpFixture } from '../intake/amqpFixture';

export const CLI = path.resolve(__dirname, '../../dist/src/cli/main.js');

/** A port nobody listens on right now (for PORT of a child `kada run`). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** kada's AMQP variables for a per-file queue and exchanges, so files never share a queue. */
export function amqpEnv(fx: AmqpFixture): Record<string, string> {
  return {
    AMQP_URL: fx.url,
    AMQP_QUEUE: fx.queue,
    AMQP_BINDINGS: fx.bindings.map((b) => `${b.exchange}:${b.pattern}`).join(','),
  };
}

export interface KadaProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<number | NodeJS.Signals>;
  waitReady(timeoutMs?: number): Promise<void>;
}

/** `node dist/src/cli/main.js run` with the given environment, as a container would start it. */
export async function startKadaRun(env: Record<string, string>, extra: Record<string, string> = {}): Promise<KadaProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'run'], {
    env: { ...process.env, ...env, PORT: String(port), ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    url,
    output: () => out,
    exited,
    async waitReady(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      while (Date.now() < deadline && !done) {
        const ok = await fetch(`${url}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`kada run did not become ready:\n${out.slice(-3000)}`);
    },
  };
}
