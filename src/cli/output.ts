import { SingleBar, Presets } from 'cli-progress';

/** Progress on stderr for people at a terminal; nothing for --json or pipes. */
export function progressBar(enabled: boolean, label: string) {
  if (!enabled || !process.stderr.isTTY)
    return { update: (_p: { done: number; total: number }) => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total} writes`, stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(p: { done: number; total: number }) {
      if (!started) {
        bar.start(Math.max(p.total, 1), p.done);
        started = true;
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
