import { expect } from 'chai';
import { createClient } from 'redis';
import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';
import { PostgresTokenStore } from '../../adapters/postgres/postgres-token-store.js';
import { RedisTokenStore } from '../../adapters/redis/redis-token-store.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';
import { openPglite, openPostgres, openRedis } from '../support/databases.js';
import { REDIS_URL } from '../support/services.js';
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

describe('PostgresTokenStore.purgeExpired (embedded PGlite)', () => {
  it('removes ended sessions and their tokens, and keeps live ones working', async () => {
    const database = await openPglite();
    try {
      const store = new PostgresTokenStore(database.db);
      const t0 = new Date('2031-01-01T00:00:00Z');
      const later = (s: number) => new Date(t0.getTime() + s * 1000);
      const base = { userId: '0190f0c8-0000-7000-8000-000000000001', now: t0, userAgent: null, ip: null, credentialVersion: 1 };
      const live = { ...base, sessionId: '0190f0c8-0000-7000-8000-0000000000a1', tokenHash: 'a'.repeat(64), expiresAt: later(3600), idleTimeoutSeconds: 600 };
      const idle = { ...base, sessionId: '0190f0c8-0000-7000-8000-0000000000a2', tokenHash: 'b'.repeat(64), expiresAt: later(3600), idleTimeoutSeconds: 60 };
      const over = { ...base, sessionId: '0190f0c8-0000-7000-8000-0000000000a3', tokenHash: 'c'.repeat(64), expiresAt: later(100), idleTimeoutSeconds: 600 };
      for (const n of [live, idle, over]) await store.create(n);

      expect(await store.purgeExpired(later(200))).to.equal(2);
      const [counted] = await database.db.sequelize.query('SELECT count(*)::int AS n FROM refresh_tokens', { plain: false });
      expect((counted as Array<{ n: number }>)[0]?.n).to.equal(1);
      const rotated = await store.rotate({ tokenHash: live.tokenHash, successorHash: 'd'.repeat(64), now: later(300), graceSeconds: 10, idleTimeoutSeconds: 600 });
      expect(rotated.kind).to.equal('rotated');
    } finally {
      await database.close();
    }
  });
});

describe('RedisTokenStore outages', () => {
  const now = new Date();

  it('reports a closed connection as DependencyUnavailableError("redis")', async function () {
    const redis = await openRedis(this);
    const client = createClient({ url: REDIS_URL });
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
