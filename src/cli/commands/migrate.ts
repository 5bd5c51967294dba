import type { Command } from 'commander';
import { loadDatabaseUrl } from '../../config/config';
import { createDataSource, migrate } from '../../db/dataSource';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (idempotent)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const ds = createDataSource(loadDatabaseUrl(), { poolSize: 2 });
      await ds.initialize();
      try {
        const applied = await migrate(ds);
        if (opts.json) process.stdout.write(`${JSON.stringify({ applied })}\n`);
        else process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await ds.destroy();
      }
    });
}
