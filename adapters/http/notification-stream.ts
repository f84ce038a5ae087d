import type { Response } from 'express';
import type { Notification } from '../../core/notifications/entities/notification.js';
import type { NotificationWatch } from '../../core/notifications/use-cases/watch-notifications.js';
import type { Logger } from '../../core/shared/ports/logger.js';

export interface StreamSettings {
  /** Between comment lines that keep proxies and clients from timing the stream out. */
  readonly heartbeatMs: number;
  /** Notifications read from the repository (and written) per step; at most this many wait in the socket's buffer. */
  readonly batchSize?: number;
  /** The client's reconnect delay, sent as `retry:`. */
  readonly retryMs?: number;
}

/** The JSON an SSE `notification` event carries (also the list item's shape). */
export type NotificationJson = ReturnType<typeof notificationJson>;

export const notificationJson = (n: Notification) => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  data: n.data,
  created_at: n.createdAt.toISOString(),
  read_at: n.readAt === null ? null : n.readAt.toISOString(),
});

/** One SSE event. JSON.stringify escapes every line break, so `data:` stays one line. */
export const sseEvent = (n: Notification): string => `id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(notificationJson(n))}\n\n`;

/**
 * The open Server-Sent Events streams of this process. Each stream pulls from its watch (the
 * repository after the last id it sent) when woken, one batch at a time, and waits for the socket
 * to drain before the next: a slow reader holds at most one batch in memory, and one that stays
 * stalled for two heartbeat intervals is disconnected (it resumes with Last-Event-ID).
 */
export class NotificationStreams {
  private readonly open = new Set<() => void>();
  private closing = false;

  constructor(
    private readonly settings: StreamSettings,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** False once the server is shutting down: new streams are refused (503). */
  get accepting(): boolean {
    return !this.closing;
  }

  /** Writes the stream's headers and serves it until either side ends it; returns what wakes it. */
  serve(res: Response, watch: NotificationWatch): () => void {
    const batchSize = this.settings.batchSize ?? 100;
    const log = this.logger.child('notifications.stream');
    let closed = false;
    let reading = false;
    let again = false;
    let stalledTicks = 0;

    const end = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      watch.close();
      this.open.delete(end);
      if (!res.writableEnded) res.end();
    };
    const write = (chunk: string): boolean => (closed || res.destroyed ? false : res.write(chunk));
    const drained = () =>
      new Promise<void>((resolve) => {
        if (closed || !res.writableNeedDrain) return resolve();
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });

    const pump = async () => {
      if (closed) return;
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          for (;;) {
            const batch = await watch.next(batchSize);
            for (const n of batch) write(sseEvent(n));
            await drained();
            if (closed || batch.length < batchSize) break;
          }
        } while (again && !closed);
      } catch (error) {
        // The repository is unreachable: end the stream; the client reconnects with Last-Event-ID.
        log.warn('notification stream ended: reading notifications failed', { error: (error as Error).message });
        end();
      } finally {
        reading = false;
      }
    };

    const heartbeat = setInterval(() => {
      if (res.writableNeedDrain) {
        stalledTicks += 1;
        if (stalledTicks >= 2) {
          log.info('notification stream ended: the client stopped reading');
          res.destroy();
          end();
        }
        return;
      }
      stalledTicks = 0;
      write(': heartbeat\n\n');
    }, this.settings.heartbeatMs);
    heartbeat.unref();

    this.open.add(end);
    // The response's close, not the request's: a request may count as finished long before its socket is.
    res.on('close', end);
    res.on('error', end);

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // Tells nginx-style proxies not to buffer the stream.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    write(`retry: ${this.settings.retryMs ?? 3000}\n: connected\n\n`);
    void pump();
    return () => void pump();
  }

  /** Ends every stream (server shutdown); clients reconnect to another replica with Last-Event-ID. */
  closeAll(): void {
    this.closing = true;
    for (const end of [...this.open]) end();
  }
}
