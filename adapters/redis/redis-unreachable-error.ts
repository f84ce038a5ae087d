import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

/*
 * In its own module, without the `redis` package, so that start-up error handling can recognise
 * it without loading the Redis client on profiles that do not use Redis.
 */

/** Redis could not be reached at start-up: one line naming the setting and the fix. */
export class RedisUnreachableError extends DependencyUnavailableError {
  constructor(url: string, timeoutMs: number, cause: unknown) {
    super('redis', { cause });
    const reason = cause instanceof Error && cause.message ? cause.message : 'no connection';
    // Host and port only: the URL may carry a password.
    let where = '(unparsable URL)';
    try {
      const u = new URL(url);
      where = `${u.hostname}:${u.port || 6379}`;
    } catch {
      // keep the placeholder
    }
    this.message =
      `Cannot reach Redis at ${where} (REDIS_URL) within ${timeoutMs} ms: ${reason}. ` +
      'Start Redis or fix REDIS_URL; REDIS_CONNECT_TIMEOUT_MS sets how long to wait.';
  }
}
