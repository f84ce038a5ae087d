import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { Container } from 'inversify';
import { decodeConfig, type Config } from '../../composition/config.js';
import type { Infrastructure } from '../../composition/infrastructure.js';
import { bindIdentity, IDENTITY } from '../../composition/modules/identity.js';
import type { PostgresDatabase } from '../../adapters/postgres/database.js';
import type { RedisClient } from '../../adapters/redis/redis-client.js';
import type { Logger } from '../../core/shared/ports/logger.js';
import { MemoryTokenStore } from '../../adapters/memory/memory-token-store.js';

const configOf = (env: Record<string, string>): Config => {
  const decoded = decodeConfig({ NODE_ENV: 'test', ...env });
  if (E.isLeft(decoded)) throw decoded.left;
  return decoded.right;
};

const SERVICES = { PROFILE: 'services', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', REDIS_URL: 'redis://127.0.0.1:6379' };

const infraWith = (parts: { database?: PostgresDatabase; redis?: RedisClient } = {}): Infrastructure => ({
  database: parts.database ?? null,
  redis: parts.redis ?? null,
  jwtSecret: 'x'.repeat(32),
  readiness: [],
  maintenance: [],
  onClose: () => undefined,
  close: async () => undefined,
});

const bind = async (config: Config, infra: Infrastructure): Promise<Container> => {
  const container = new Container({ defaultScope: 'Singleton' });
  await bindIdentity({ container, config, infra, logger: {} as Logger });
  return container;
};

describe('composition: identity module adapters', () => {
  it('binds the memory stores on the memory profile', async () => {
    const container = await bind(configOf({ PROFILE: 'memory' }), infraWith());
    expect(container.get(IDENTITY.TokenStore)).to.be.instanceOf(MemoryTokenStore);
  });

  // Each case has everything else connected (the objects are never used while binding).
  const database = {} as PostgresDatabase;
  const redis = {} as RedisClient;
  for (const [what, env, infra, pattern] of [
    ['sessions in Redis', { ...SERVICES, SESSION_STORE: 'redis', RATE_LIMIT_STORE: 'memory' }, infraWith({ database }), /SESSION_STORE=redis.*Redis/],
    ['sessions in Postgres', { ...SERVICES, SESSION_STORE: 'postgres', RATE_LIMIT_STORE: 'redis' }, infraWith({ redis }), /SESSION_STORE=postgres.*database/],
    ['login throttle in Redis', { ...SERVICES, SESSION_STORE: 'postgres', RATE_LIMIT_STORE: 'redis' }, infraWith({ database }), /RATE_LIMIT_STORE=redis.*Redis/],
    ['users in Postgres', { ...SERVICES, SESSION_STORE: 'redis', RATE_LIMIT_STORE: 'redis' }, infraWith({ redis }), /DATABASE=postgres.*database/],
  ] as const) {
    it(`refuses to start with ${what} configured but not connected, instead of falling back to memory`, async () => {
      const error = await bind(configOf(env), infra).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(pattern);
    });
  }
});
