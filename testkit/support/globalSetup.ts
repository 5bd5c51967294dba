import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Runs once before the test files. `npm test` (scripts/test.sh) has already started the services
 * and exported their URLs; a bare `npx vitest` gets them started here instead.
 */
export default function setup() {
  if (process.env.DATABASE_URL && process.env.AMQP_URL) return;
  const root = path.resolve(__dirname, '../..');
  const out = execFileSync('bash', [path.join(root, 'scripts/services.sh'), 'start'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]!] = m[2]!;
  }
}
