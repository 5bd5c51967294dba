import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector';

/**
 * `--profile <dir>`: a V8 CPU profile of each measured phase only (not the set-up around it),
 * written as <dir>/<name>.cpuprofile for Chrome DevTools or speedscope. Equivalent to node's
 * --cpu-prof, narrowed to the part that is being measured.
 */
export class PhaseProfiler {
  private session: Session | null = null;

  constructor(private readonly dir: string | null) {}

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (!this.dir) return fn();
    const session = (this.session ??= (() => {
      const s = new Session();
      s.connect();
      return s;
    })());
    const post = (method: string, params?: object) =>
      new Promise<unknown>((resolve, reject) =>
        session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
      );
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
    try {
      return await fn();
    } finally {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(path.join(this.dir, `${name}.cpuprofile`), JSON.stringify(profile));
    }
  }

  close(): void {
    this.session?.disconnect();
    this.session = null;
  }
}
