import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { RateLimiterFlexibleLoginThrottle } from '../../adapters/rate-limiter-flexible/rate-limiter-flexible-login-throttle.js';
import { closeRedis, openRedis, type RedisClient } from '../../adapters/redis/redis-client.js';
import type { LoginAttemptKey, LoginThrottle, LoginThrottleSettings } from '../../core/identity/login-throttle.js';
import { DependencyUnavailableError } from '../../core/shared/errors.js';
import { REDIS_URL, requireService } from '../support/services.js';

const SETTINGS: LoginThrottleSettings = { maxFailures: 3, windowSeconds: 900 };

const loginThrottleContract = (name: string, setup: (ctx: Mocha.Context) => Promise<{ throttle: LoginThrottle; close?: () => Promise<void> }>) => {
  describe(`LoginThrottle contract: ${name}`, function () {
    let throttle: LoginThrottle;
    let close: (() => Promise<void>) | undefined;
    before(async function () {
      ({ throttle, close } = await setup(this));
    });
    after(async () => close?.());

    const aKey = (): LoginAttemptKey => ({ account: `email:${randomBytes(6).toString('hex')}@example.com`, ip: '203.0.113.5' });
    const fail = async (key: LoginAttemptKey, times: number) => {
      for (let i = 0; i < times; i++) await throttle.recordFailure(key);
    };

    it('allows a key with no failures, and one below the limit', async () => {
      const key = aKey();
      expect(await throttle.check(key)).to.equal(0);
      await fail(key, SETTINGS.maxFailures - 1);
      expect(await throttle.check(key)).to.equal(0);
    });

    it('blocks a key once it reaches the limit, for at most the window', async () => {
      const key = aKey();
      await fail(key, SETTINGS.maxFailures);
      expect(await throttle.check(key)).to.be.within(SETTINGS.windowSeconds - 5, SETTINGS.windowSeconds);
    });

    it('keys on account and IP together, and never confuses keys that merely share text', async () => {
      const key = aKey();
      await fail(key, SETTINGS.maxFailures);
      expect(await throttle.check({ ...key, ip: '198.51.100.7' })).to.equal(0);
      expect(await throttle.check({ ...key, account: `${key.account}x` })).to.equal(0);
      expect(await throttle.check({ account: `${key.account}\n${key.ip}`, ip: null })).to.equal(0);
    });

    it('reset forgets the failures', async () => {
      const key = aKey();
      await fail(key, SETTINGS.maxFailures);
      await throttle.reset(key);
      expect(await throttle.check(key)).to.equal(0);
      await throttle.reset(aKey());
    });

    it('accepts a key without an IP', async () => {
      const key = { ...aKey(), ip: null };
      await fail(key, SETTINGS.maxFailures);
      expect(await throttle.check(key)).to.be.greaterThan(0);
    });
  });
};

loginThrottleContract('memory', async () => ({ throttle: RateLimiterFlexibleLoginThrottle.inMemory(SETTINGS) }));

loginThrottleContract('redis', async (ctx) => {
  await requireService(ctx, 'Redis', REDIS_URL);
  const client = await openRedis(REDIS_URL, () => undefined);
  const prefix = `portside-test:${randomBytes(4).toString('hex')}:login-fail`;
  return {
    throttle: RateLimiterFlexibleLoginThrottle.onRedis(client, SETTINGS, prefix),
    close: async () => {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await client.del(keys);
      await closeRedis(client);
    },
  };
});

describe('RateLimiterFlexibleLoginThrottle', () => {
  it('in memory: the block lifts when the window closes', async () => {
    const clock = sinon.useFakeTimers({ now: new Date('2031-01-01T00:00:00Z'), toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    try {
      const throttle = RateLimiterFlexibleLoginThrottle.inMemory(SETTINGS);
      const key = { account: 'email:a@example.com', ip: null };
      for (let i = 0; i < SETTINGS.maxFailures; i++) await throttle.recordFailure(key);
      clock.tick((SETTINGS.windowSeconds - 1) * 1000);
      expect(await throttle.check(key)).to.equal(1);
      clock.tick(1001);
      expect(await throttle.check(key)).to.equal(0);
    } finally {
      clock.restore();
    }
  });

  it('on Redis: a closed connection is DependencyUnavailableError("redis")', async function () {
    await requireService(this, 'Redis', REDIS_URL);
    const client: RedisClient = await openRedis(REDIS_URL, () => undefined);
    const throttle = RateLimiterFlexibleLoginThrottle.onRedis(client, SETTINGS, 'portside-test:closed');
    await closeRedis(client);
    const error = await throttle.check({ account: 'email:a@example.com', ip: null }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).dependency).to.equal('redis');
  });
});
