import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LoginAttemptKey, LoginThrottle, LoginThrottleSettings } from '../../core/identity/login-throttle.js';
import { DependencyUnavailableError } from '../../core/shared/errors.js';

/** Any node-redis v4+ client (`createClient()` from the `redis` package), connected. */
export type NodeRedisClient = object;

/**
 * Counts failed logins per account and client IP in a fixed window that opens at the first
 * failure; once `maxFailures` are in, the key is refused until the window closes.
 */
export class RateLimiterFlexibleLoginThrottle implements LoginThrottle {
  private constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly settings: LoginThrottleSettings,
    private readonly store: string,
  ) {}

  /** Per process: fine for one server, not shared between replicas. */
  static inMemory(settings: LoginThrottleSettings): RateLimiterFlexibleLoginThrottle {
    const limiter = new RateLimiterMemory({ points: settings.maxFailures, duration: settings.windowSeconds });
    return new RateLimiterFlexibleLoginThrottle(limiter, settings, 'memory');
  }

  /** Shared by every replica using the same Redis. */
  static onRedis(
    client: NodeRedisClient,
    settings: LoginThrottleSettings,
    keyPrefix = 'portside:login-fail',
  ): RateLimiterFlexibleLoginThrottle {
    const limiter = new RateLimiterRedis({
      storeClient: client,
      useRedisPackage: true,
      keyPrefix,
      points: settings.maxFailures,
      duration: settings.windowSeconds,
    });
    return new RateLimiterFlexibleLoginThrottle(limiter, settings, 'redis');
  }

  async check(key: LoginAttemptKey): Promise<number> {
    const res = await this.guard(() => this.limiter.get(this.keyOf(key)));
    if (res === null || res.consumedPoints < this.settings.maxFailures) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  async recordFailure(key: LoginAttemptKey): Promise<void> {
    await this.guard(() => this.limiter.penalty(this.keyOf(key), 1));
  }

  async reset(key: LoginAttemptKey): Promise<void> {
    await this.guard(() => this.limiter.delete(this.keyOf(key)));
  }

  // Hashed so that no email address ends up as a Redis key.
  private keyOf(key: LoginAttemptKey): string {
    return createHash('sha256').update(`${key.account}\n${key.ip ?? '-'}`).digest('base64url');
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new Error('Unexpected rate limiter rejection', { cause: error });
      throw new DependencyUnavailableError(this.store, { cause: error });
    }
  }
}
