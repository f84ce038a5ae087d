import { createClient } from 'redis';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';
import { RedisUnreachableError } from './redis-unreachable-error.js';

export { RedisUnreachableError };

/**
 * The one node-redis client a process shares: sessions, rate limits and (through
 * BullMQ's createNodeRedisClient) queues all use it, so there is no second Redis library.
 */
const connect = (url: string, connectTimeoutMs: number) =>
  createClient({
    url,
    socket: {
      connectTimeout: Math.min(connectTimeoutMs, 5_000),
      // Keep retrying in the background with a capped backoff; requests meanwhile fail fast (503).
      reconnectStrategy: (retries) => Math.min(retries * 200, 5_000),
    },
    // While disconnected, commands are refused at once ("The client is offline") instead of
    // queued until Redis returns: a request waiting on a queued command would hang.
    disableOfflineQueue: true,
  });

export type RedisClient = ReturnType<typeof connect>;

export interface OpenRedisOptions {
  /** Give up the first connection after this long (REDIS_CONNECT_TIMEOUT_MS). */
  readonly connectTimeoutMs?: number;
}

/**
 * Connects, retrying until `connectTimeoutMs` (5 s by default) has passed; then the client is
 * destroyed and RedisUnreachableError thrown, so a process never waits forever at start.
 */
export const openRedis = async (url: string, onError: (error: Error) => void, options: OpenRedisOptions = {}): Promise<RedisClient> => {
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  const client = connect(url, timeoutMs);
  let lastError: unknown;
  client.on('error', (error: Error) => {
    lastError = error;
    onError(error);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
  } catch (error) {
    client.destroy();
    throw new RedisUnreachableError(url, timeoutMs, lastError ?? error);
  } finally {
    clearTimeout(timer);
  }
  return client;
};

export const pingRedis = async (client: RedisClient): Promise<void> => {
  if (!client.isReady) throw new DependencyUnavailableError('redis');
  await client.ping();
};

export const closeRedis = async (client: RedisClient): Promise<void> => {
  if (client.isOpen) await client.close();
};
