import { DataSource } from 'typeorm';
import { migrations } from '../../db/migrations';
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

/** Applies pending migrations; a second run finds none and changes nothing. Returns the names applied. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
