import { createClient } from 'redis';
import { DependencyUnavailableError } from '../../core/shared/errors.js';

/**
 * The one node-redis client a process shares: sessions, rate limits and (through
 * BullMQ's createNodeRedisClient) queues all use it, so there is no second Redis library.
 */
const connect = (url: string) =>
  createClient({
    url,
    socket: {
      connectTimeout: 5_000,
      // Keep retrying in the background with a capped backoff; requests meanwhile fail fast (503).
      reconnectStrategy: (retries) => Math.min(retries * 200, 5_000),
    },
    disableOfflineQueue: true,
  });

export type RedisClient = ReturnType<typeof connect>;

export const openRedis = async (url: string, onError: (error: Error) => void): Promise<RedisClient> => {
  const client = connect(url);
  client.on('error', onError);
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new DependencyUnavailableError('redis', { cause: error });
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
