import { Client } from 'pg';
import { postgresConnection } from '../db/postgresTls';
import type { Logger } from '../log/logger';
import { JOBS_CHANNEL } from './types';

/**
 * LISTEN on the jobs channel so idle workers wake as soon as a job is queued anywhere (any kada
 * process, the planner, the admin API). Reconnects on its own; polling covers the gaps.
 */
export class JobWakeup {
  private client: Client | null = null;
  private stopped = false;
  private listeners = new Set<() => void>();
  private retryMs = 500;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect().catch((err) => {
      this.log.warn({ error: (err as Error).message }, 'job wake-up channel unavailable; polling until it is back');
      this.reconnectLater();
    });
  }

  onWake(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...postgresConnection(this.databaseUrl), application_name: 'kada-listen' });
    client.on('notification', () => this.wake());
    client.on('error', () => {
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      this.reconnectLater();
    });
    await client.connect();
    await client.query(`LISTEN ${JOBS_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.client = client;
    this.retryMs = 500;
    this.wake();
  }

  private reconnectLater(): void {
    if (this.stopped) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 15_000);
    setTimeout(() => {
      if (!this.stopped && !this.client) this.connect().catch(() => this.reconnectLater());
    }, wait).unref();
  }

  private wake(): void {
    for (const fn of this.listeners) fn();
  }
}
