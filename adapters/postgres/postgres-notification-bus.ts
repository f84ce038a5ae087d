import pg from 'pg';
import type { NotificationBus, NotificationListener, NotificationSignal } from '../../core/notifications/ports/notification-bus.js';
import type { Logger } from '../../core/shared/ports/logger.js';
import { NOTIFICATION_CHANNEL } from './postgres-notification-repository.js';

export interface PostgresNotificationBusOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Wait before the n-th reconnect attempt (n from 0); default 250 ms doubling up to 10 s. */
  readonly reconnectDelayMs?: (attempt: number) => number;
  readonly connectTimeoutMs?: number;
  /** Observes the LISTEN connection (logs, tests). */
  readonly onState?: (state: 'listening' | 'lost') => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const parseSignal = (payload: string | undefined): NotificationSignal | null => {
  const [recipientId, notificationId, ...rest] = (payload ?? '').split(':');
  if (rest.length > 0 || !recipientId || !notificationId || !UUID.test(recipientId) || !UUID.test(notificationId)) return null;
  return { recipientId: recipientId.toLowerCase(), notificationId: notificationId.toLowerCase() };
};

/**
 * Hears what PostgresNotificationRepository announces with pg_notify, from every process on the
 * database, over one dedicated connection (a pooled one would be handed back and lose its LISTEN).
 * When that connection drops it reconnects with backoff, and once listening again tells every
 * subscriber to resync: they re-read the repository, so what was committed meanwhile still arrives.
 */
export class PostgresNotificationBus implements NotificationBus {
  private readonly listeners = new Set<NotificationListener>();
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: PostgresNotificationBusOptions) {
    this.log = options.logger.child('notification-bus');
  }

  subscribe(listener: NotificationListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Connects and listens; resolves after the first attempt, keeps trying in the background if it failed. */
  async start(): Promise<void> {
    await this.connect();
  }

  get listening(): boolean {
    return this.client !== null;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel !== NOTIFICATION_CHANNEL) return;
      const signal = parseSignal(message.payload);
      if (signal) this.each((l) => l.notified(signal));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFICATION_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
      this.retry(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.attempt > 0) this.log.info('listening for notifications again');
    this.attempt = 0;
    this.options.onState?.('listening');
    // Signals sent while nobody listened are gone: every stream reads what it has not sent.
    this.each((l) => l.resync());
  }

  private lost(client: pg.Client, error?: Error): void {
    if (client !== this.client) return;
    this.client = null;
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.options.onState?.('lost');
    this.retry(error);
  }

  private retry(error: unknown): void {
    if (this.stopped) return;
    const delay = (this.options.reconnectDelayMs ?? ((n) => Math.min(10_000, 250 * 2 ** n)))(this.attempt);
    if (this.attempt === 0) this.log.warn('notification LISTEN connection unavailable; reconnecting', { error: (error as Error | undefined)?.message });
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), delay);
    this.timer.unref();
  }

  private each(f: (l: NotificationListener) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        f(listener);
      } catch (error) {
        this.log.warn('a notification listener failed', { error: (error as Error).message });
      }
    }
  }
}
