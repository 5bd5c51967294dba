import { Client } from 'pg';
import { migrations } from '../../db/migrations';
import { type CheckLine, errorText, fail, pass } from './check';

/** PostgreSQL reachable with DATABASE_URL, and every migration of this kada version applied. */
export async function checkDatabase(databaseUrl: string): Promise<CheckLine> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    return fail(
      'database',
      `PostgreSQL unreachable: ${errorText(err)}`,
      'check DATABASE_URL (host, port, user, password, database) and that PostgreSQL accepts connections',
    );
  }
  try {
    const table = await client.query<{ t: string | null }>(`SELECT to_regclass('kada_migrations') AS t`);
    const applied = table.rows[0]?.t
      ? new Set((await client.query<{ name: string }>('SELECT name FROM kada_migrations')).rows.map((r) => r.name))
      : new Set<string>();
    const missing = migrations.map((m) => m.name).filter((name) => !applied.has(name));
    if (missing.length) {
      return fail(
        'database',
        `reachable, but ${missing.length} of ${migrations.length} migration(s) not applied: ${missing.join(', ')}`,
        'run `kada migrate`',
      );
    }
    return pass('database', `reachable, all ${migrations.length} migrations applied`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
