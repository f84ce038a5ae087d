import pg from 'pg';
import { OUTBOX_CHANNEL } from './migrations/0010-outbox-delivery.js';

export interface OutboxListener {
  close(): Promise<void>;
}

/**
 * LISTENs on the outbox channel over a dedicated connection (outside the pool: a pooled
 * connection would be handed to queries) and calls `onEvent` when another process commits
 * outbox events. A lost connection is reopened with a capped backoff; meanwhile the relay's slow
 * poll still delivers, so a NOTIFY missed during a reconnect delays an event, never loses it.
 */
export const listenForOutboxEvents = (
  url: string,
  onEvent: () => void,
  onError: (error: Error) => void,
): OutboxListener => {
  let client: pg.Client | null = null;
  let closed = false;
  let retries = 0;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    let reconnecting = false;
    const reconnect = (error: Error) => {
      if (closed || reconnecting) return;
      reconnecting = true;
      onError(error);
      void c.end().catch(() => undefined);
      client = null;
      retries += 1;
      timer = setTimeout(() => void connect(), Math.min(200 * retries, 5_000));
      timer.unref();
    };
    c.on('error', reconnect);
    c.on('end', () => reconnect(new Error('outbox listener connection ended')));
    c.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL) onEvent();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      retries = 0;
      // Events may have committed while we were not listening.
      onEvent();
    } catch (error) {
      reconnect(error as Error);
    }
  };
  void connect();

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    },
  };
};
