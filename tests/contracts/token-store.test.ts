import { expect } from 'chai';
import { createClient } from 'redis';
import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';
import { PostgresTokenStore } from '../../adapters/postgres/postgres-token-store.js';
import { RedisTokenStore } from '../../adapters/redis/redis-token-store.js';
import { DependencyUnavailableError } from '../../core/shared/errors.js';
import { openPglite, openPostgres, openRedis } from '../support/databases.js';
import { tokenStoreContract } from './token-store.contract.js';

tokenStoreContract('memory', async () => ({ store: new MemoryTokenStore() }));

tokenStoreContract('redis', async (ctx) => {
  const redis = await openRedis(ctx);
  return { store: new RedisTokenStore(redis.client, { keyPrefix: redis.prefix }), close: () => redis.close() };
});

tokenStoreContract('postgres (embedded PGlite)', async () => {
  const database = await openPglite();
  return { store: new PostgresTokenStore(database.db), close: () => database.close() };
});

tokenStoreContract('postgres (server)', async (ctx) => {
  const database = await openPostgres(ctx);
  return { store: new PostgresTokenStore(database.db), close: () => database.close() };
});

describe('RedisTokenStore outages', () => {
  const now = new Date();

  it('reports a closed connection as DependencyUnavailableError("redis")', async function () {
    const redis = await openRedis(this);
    const client = createClient({ url: `redis://127.0.0.1:6379` });
    await client.connect();
    const store = new RedisTokenStore(client, { keyPrefix: redis.prefix });
    client.destroy();
    try {
      const error = await store.findActive('00000000-0000-7000-8000-000000000000', now).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(DependencyUnavailableError);
      expect((error as DependencyUnavailableError).dependency).to.equal('redis');
    } finally {
      await redis.close();
    }
  });

  it('reports an unreachable server as DependencyUnavailableError("redis")', async () => {
    // Port 1 refuses connections; the client never becomes ready.
    const client = createClient({ url: 'redis://127.0.0.1:1', socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    const store = new RedisTokenStore(client);
    const error = await store.listActive('00000000-0000-7000-8000-000000000000', now).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DependencyUnavailableError);
  });
});
