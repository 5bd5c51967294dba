import type { DataSource } from 'typeorm';
import type { Logger } from '../log/logger';
import { pruneExpired } from './retention';

export const RETENTION_EVERY_MS = 3_600_000;

/**
 * Retention inside `kada run`: a pass a minute after start, then hourly. Every replica runs the
 * timer; the advisory lock in pruneExpired lets one of them do the work and the others skip.
 */
export function startRetentionTimer(
  ctx: { dataSource: DataSource; logger: Logger },
  retention: { days: number; semesters: string[]; auditDays?: number; pseudonymKey?: string },
  opts: { firstAfterMs?: number; everyMs?: number } = {},
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const pass = () => {
    running = pruneExpired(ctx, retention.days, {
      semesters: retention.semesters,
      auditRetentionDays: retention.auditDays,
      pseudonymKey: retention.pseudonymKey,
    }).catch((err) =>
      ctx.logger.warn({ error: (err as Error).message }, 'retention pass failed; the next one tries again'),
    );
  };
  const first = setTimeout(pass, opts.firstAfterMs ?? 60_000);
  const timer = setInterval(pass, opts.everyMs ?? RETENTION_EVERY_MS);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
