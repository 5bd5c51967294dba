import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * `kada run` as a container runs it: the built CLI in a child process. The pipeline, chaos,
 * bad-input and security suites start, kill and restart these; everything a child prints is kept.
 */

export const CLI = path.resolve(__dirname, '../../dist/src/cli/main.js');

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

export interface KadaChild {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** stdout and stderr as printed, interleaved. */
  output(): string;
  exited: Promise<number | NodeJS.Signals>;
  alive(): boolean;
  /** Waits until /readyz answers 200 (database and broker reachable). */
  waitReady(timeoutMs?: number): Promise<void>;
  /** The worker ids this process uses start with this (src/jobs/workerPool.ts). */
  workerIdPrefix: string;
}

export async function startKada(env: Record<string, string>, extra: Record<string, string> = {}): Promise<KadaChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'run'], {
    env: { ...process.env, ...env, PORT: String(port), ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let done = false;
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal!);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    pid: child.pid!,
    port,
    url,
    output: () => out,
    exited,
    alive: () => !done,
    workerIdPrefix: `${hostname()}:${child.pid}:`,
    async waitReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && !done) {
        const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 150));
      }
      throw new Error(`kada run ${done ? 'exited' : 'did not become ready'}:\n${out.slice(-3000)}`);
    },
  };
}

/** SIGKILL and wait for the process to be gone. */
export async function killHard(p: KadaChild): Promise<void> {
  if (p.alive()) p.child.kill('SIGKILL');
  await p.exited;
}

/** SIGTERM, as Kubernetes stops a pod; resolves with the exit code. */
export async function stopGracefully(p: KadaChild): Promise<number | NodeJS.Signals> {
  if (p.alive()) p.child.kill('SIGTERM');
  return p.exited;
}
