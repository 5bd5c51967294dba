import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = path.resolve(__dirname, '../../scripts/services.sh');

describe('scripts/services.sh', () => {
  it('start is idempotent and prints URLs that reach both real servers', async () => {
    const { stdout } = await run('bash', [script, 'start']);
    const env = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+@127\.0\.0\.1:\d+\/kada$/);
    expect(env.AMQP_URL).toMatch(/^amqp:\/\/.+@127\.0\.0\.1:\d+$/);

    const pg = new Client({ connectionString: env.DATABASE_URL });
    await pg.connect();
    const [{ version }] = (await pg.query('SELECT version()')).rows;
    await pg.end();
    expect(version).toMatch(/PostgreSQL/);

    const conn = await amqp.connect(env.AMQP_URL!);
    const product = (conn.connection as unknown as { serverProperties: { product: string } }).serverProperties.product;
    await conn.close();
    expect(product).toBe('RabbitMQ');
  });

  it('status reports both servers running', async () => {
    const { stdout } = await run('bash', [script, 'status']);
    expect(stdout).toMatch(/postgres: running on 127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/rabbitmq: running on 127\.0\.0\.1:\d+/);
  });
});
