import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LoginAttemptKey, LoginThrottle, LoginThrottleSettings } from '../../core/identity/ports/login-throttle.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

/** Any node-redis v4+ client (`createClient()` from the `redis` package), connected. */
export type NodeRedisClient = object;

/**
 * Counts login attempts in fixed windows that open at the first attempt: per account and client
 * IP (`maxFailures`), and per account alone (`accountMaxFailures`). `consume` is the library's
 * atomic increment-and-compare, so concurrent attempts cannot overshoot a budget.
 */
export class RateLimiterFlexibleLoginThrottle implements LoginThrottle {
  private constructor(
    private readonly pair: RateLimiterAbstract,
    private readonly account: RateLimiterAbstract,
    private readonly store: string,
  ) {}

  /** Per process: fine for one server, not shared between replicas. */
  static inMemory(settings: LoginThrottleSettings): RateLimiterFlexibleLoginThrottle {
    const limiter = (points: number) => new RateLimiterMemory({ points, duration: settings.windowSeconds });
    return new RateLimiterFlexibleLoginThrottle(limiter(settings.maxFailures), limiter(settings.accountMaxFailures), 'memory');
  }

  /**
   * Shared by every replica using the same Redis. While Redis is unreachable the library's
   * insurance limiter counts in this process's memory instead (the client's readiness is checked
   * first, so nothing waits on a dead connection): a Redis outage must not lock everyone out, nor
   * lift the brute-force limit.
   */
  static onRedis(
    client: NodeRedisClient,
    settings: LoginThrottleSettings,
    keyPrefix = 'portside:login-fail',
  ): RateLimiterFlexibleLoginThrottle {
    const limiter = (prefix: string, points: number) =>
      new RateLimiterRedis({
        storeClient: client,
        useRedisPackage: true,
        keyPrefix: prefix,
        points,
        duration: settings.windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: prefix, points, duration: settings.windowSeconds }),
      });
    return new RateLimiterFlexibleLoginThrottle(
      limiter(keyPrefix, settings.maxFailures),
      limiter(`${keyPrefix}:account`, settings.accountMaxFailures),
      'redis',
    );
  }

  async consume(key: LoginAttemptKey): Promise<number> {
    // The pair first: an IP already refused for this account does not eat into the account's budget.
    const pairWait = await this.take(this.pair, this.pairKey(key));
    if (pairWait > 0) return pairWait;
    const accountWait = await this.take(this.account, this.accountKey(key));
    // The attempt will not be made, so it must not count against the pair either.
    if (accountWait > 0) await this.guard(() => this.pair.reward(this.pairKey(key), 1));
    return accountWait;
  }

  async recordSuccess(key: LoginAttemptKey): Promise<void> {
    await this.guard(() => this.pair.delete(this.pairKey(key)));
    // Only this attempt's point: other parties' failures against the account keep counting.
    await this.guard(() => this.account.reward(this.accountKey(key), 1));
  }

  /** 0 when the point was granted, else whole seconds (at least 1) until the window closes. */
  private async take(limiter: RateLimiterAbstract, key: string): Promise<number> {
    try {
      await limiter.consume(key, 1);
      return 0;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new DependencyUnavailableError(this.store, { cause: error });
    }
  }

  // Hashed so that no email address ends up as a Redis key.
  private pairKey(key: LoginAttemptKey): string {
    return createHash('sha256').update(`${key.account}\n${key.ip ?? '-'}`).digest('base64url');
  }

  private accountKey(key: LoginAttemptKey): string {
    return createHash('sha256').update(key.account).digest('base64url');
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
