import { DataSource } from 'typeorm';
import { migrations } from '../../db/migrations';
import { withAdvisoryLock } from './advisoryLock';
import { entities } from './entities';
import { postgresConnection } from './postgresTls';

/** The one TypeORM DataSource kada uses; raw SQL modules use `dataSource.query`. */
export function createDataSource(databaseUrl: string, opts: { poolSize?: number } = {}): DataSource {
  const { connectionString, ssl } = postgresConnection(databaseUrl);
  return new DataSource({
    type: 'postgres',
    url: connectionString,
    ssl,
    entities,
    migrations,
    migrationsTableName: 'kada_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: opts.poolSize ?? 20, application_name: 'kada' },
  });
}

/**
 * Applies pending migrations; a second run finds none and changes nothing. Returns the names applied.
 * Under an advisory lock: a second `kada migrate` (two rollouts, a Job retried while the first still
 * runs) waits for the first, then finds nothing to do. Needs a pool of at least two connections.
 */
export async function migrate(ds: DataSource): Promise<string[]> {
  const r = await withAdvisoryLock(ds, 'migrate', { wait: true, application: 'kada migrate' }, () =>
    ds.runMigrations({ transaction: 'each' }),
  );
  return r.busy ? [] : r.result.map((m) => m.name);
}
