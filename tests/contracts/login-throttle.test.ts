import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import sinon from 'sinon';
import { RateLimiterFlexibleLoginThrottle } from '../../adapters/rate-limiter-flexible/rate-limiter-flexible-login-throttle.js';
import { closeRedis, openRedis, type RedisClient } from '../../adapters/redis/redis-client.js';
import type { LoginAttemptKey, LoginThrottle, LoginThrottleSettings } from '../../core/identity/ports/login-throttle.js';
import { REDIS_URL, requireService } from '../support/services.js';

const SETTINGS: LoginThrottleSettings = { maxFailures: 3, accountMaxFailures: 6, windowSeconds: 900 };

const loginThrottleContract = (name: string, setup: (ctx: Mocha.Context) => Promise<{ throttle: LoginThrottle; close?: () => Promise<void> }>) => {
  describe(`LoginThrottle contract: ${name}`, function () {
    let throttle: LoginThrottle;
    let close: (() => Promise<void>) | undefined;
    before(async function () {
      ({ throttle, close } = await setup(this));
    });
    after(async () => close?.());

    const aKey = (): LoginAttemptKey => ({ account: `email:${randomBytes(6).toString('hex')}@example.com`, ip: '203.0.113.5' });
    const spend = async (key: LoginAttemptKey, times: number) => {
      for (let i = 0; i < times; i++) expect(await throttle.consume(key)).to.equal(0);
    };

    it('grants maxFailures attempts to a key, then refuses it for at most the window', async () => {
      const key = aKey();
      await spend(key, SETTINGS.maxFailures);
      expect(await throttle.consume(key)).to.be.within(SETTINGS.windowSeconds - 5, SETTINGS.windowSeconds);
      expect(await throttle.consume(key)).to.be.within(SETTINGS.windowSeconds - 5, SETTINGS.windowSeconds);
    });

    it('grants exactly maxFailures of many concurrent attempts', async () => {
      const key = aKey();
      const waits = await Promise.all(Array.from({ length: 20 }, () => throttle.consume(key)));
      expect(waits.filter((w) => w === 0)).to.have.length(SETTINGS.maxFailures);
    });

    it('keys the pair budget on account and IP together, and never confuses keys that merely share text', async () => {
      const key = aKey();
      await spend(key, SETTINGS.maxFailures);
      expect(await throttle.consume({ ...key, ip: '198.51.100.7' })).to.equal(0);
      expect(await throttle.consume({ ...key, account: `${key.account}x` })).to.equal(0);
      expect(await throttle.consume({ account: `${key.account}\n${key.ip}`, ip: null })).to.equal(0);
    });

    it('refuses an account from every IP once accountMaxFailures attempts came in from any IPs', async () => {
      const key = aKey();
      for (let i = 0; i < SETTINGS.accountMaxFailures; i++) await spend({ ...key, ip: `198.51.100.${i}` }, 1);
      expect(await throttle.consume({ ...key, ip: '192.0.2.1' })).to.be.within(SETTINGS.windowSeconds - 5, SETTINGS.windowSeconds);
      expect(await throttle.consume({ ...aKey(), ip: '192.0.2.1' })).to.equal(0);
    });

    it('attempts refused for their IP do not spend the account budget', async () => {
      const key = aKey();
      await spend(key, SETTINGS.maxFailures);
      for (let i = 0; i < 3 * SETTINGS.accountMaxFailures; i++) expect(await throttle.consume(key)).to.be.greaterThan(0);
      await spend({ ...key, ip: '198.51.100.9' }, SETTINGS.maxFailures);
    });

    it('recordSuccess forgets the pair and gives back the account point of that attempt only', async () => {
      const key = aKey();
      await spend(key, SETTINGS.maxFailures);
      await throttle.recordSuccess(key);
      // The pair is fresh again, but the account still carries the failures made before.
      await spend(key, 1);
      const left = SETTINGS.accountMaxFailures - SETTINGS.maxFailures;
      for (let i = 0; i < left; i++) await spend({ ...key, ip: `198.51.100.${i}` }, 1);
      expect(await throttle.consume({ ...key, ip: '192.0.2.1' })).to.be.greaterThan(0);
      await throttle.recordSuccess(aKey());
    });

    it('accepts a key without an IP', async () => {
      const key = { ...aKey(), ip: null };
      await spend(key, SETTINGS.maxFailures);
      expect(await throttle.consume(key)).to.be.greaterThan(0);
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
      for (let i = 0; i < SETTINGS.maxFailures; i++) await throttle.consume(key);
      clock.tick((SETTINGS.windowSeconds - 1) * 1000);
      expect(await throttle.consume(key)).to.equal(1);
      clock.tick(1001);
      expect(await throttle.consume(key)).to.equal(0);
    } finally {
      clock.restore();
    }
  });

  it('on Redis: while the connection is down it keeps limiting in this process\'s memory instead of failing', async function () {
    await requireService(this, 'Redis', REDIS_URL);
    const client: RedisClient = await openRedis(REDIS_URL, () => undefined);
    const throttle = RateLimiterFlexibleLoginThrottle.onRedis(client, SETTINGS, `portside-test:closed:${randomBytes(4).toString('hex')}`);
    await closeRedis(client);
    const key = { account: 'email:a@example.com', ip: null };
    for (let i = 0; i < SETTINGS.maxFailures; i++) expect(await throttle.consume(key)).to.equal(0);
    expect(await throttle.consume(key)).to.be.greaterThan(0);
    await throttle.recordSuccess(key);
    expect(await throttle.consume(key)).to.equal(0);
  });
});
