import type { Command } from 'commander';
import { startService } from '../../app/runService';
import { loadConfig, secretValues } from '../../config/config';
import { createLogger } from '../../log/logger';

/**
 * `kada run`: consume notifications, plan, work jobs, serve the admin API until SIGTERM/SIGINT,
 * then stop in order and exit 0. A second signal exits at once: everything is durable.
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('consume notifications, process jobs, serve the admin API; graceful on SIGTERM')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger({
        level: config.logLevel,
        secrets: secretValues(process.env),
        pseudonymKey: config.logKey,
      });
      const service = await startService(config, { logger });
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      logger.info({ signal }, 'shutting down');
      const again = () => {
        logger.warn('second signal: exiting now');
        process.exit(1);
      };
      process.once('SIGTERM', again);
      process.once('SIGINT', again);
      // KADA_SHUTDOWN_TIMEOUT_MS: below the pod's terminationGracePeriodSeconds, so kada, not the kubelet's
      // SIGKILL, decides what is left unfinished (running jobs are released to the queue before this).
      setTimeout(() => {
        logger.error({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      await service.stop();
      process.removeListener('SIGTERM', again);
      process.removeListener('SIGINT', again);
      // Everything is closed; an unref'd timer makes sure a stray handle cannot keep us alive.
      setTimeout(() => process.exit(0), 1_000).unref();
    });
}
