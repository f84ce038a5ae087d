import { MemoryStore, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import type { Logger } from '../../core/shared/ports/logger.js';

/**
 * Says once that a shared store went away and once that it came back, however many requests and
 * limiters notice in between. One per shared store, handed to every FallbackRateLimitStore on it.
 */
export class StoreOutageLog {
  private down = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  get degraded(): boolean {
    return this.down;
  }

  failed(error: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn(`${this.what} unreachable: request rate limits fall back to this process's memory until it returns`, {
      error: error instanceof Error ? error.message : String(error),
    });
  }

  succeeded(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info(`${this.what} is back: request rate limits are shared again`);
  }
}

/**
 * An express-rate-limit store that uses a shared store (Redis) and, while that one fails, a
 * per-process memory store: an outage of the shared store must not turn every request into a
 * 500, nor leave the API without any limit. Every call tries the shared store first (it fails at
 * once while its client is offline), so recovery needs no timer. Counts made in memory during an
 * outage are not carried over: after recovery the shared window continues where it was.
 */
export class FallbackRateLimitStore implements Store {
  readonly localKeys = false;
  private readonly memory = new MemoryStore();

  constructor(
    private readonly shared: Store,
    private readonly outage: StoreOutageLog,
  ) {}

  get prefix(): string | undefined {
    return this.shared.prefix;
  }

  init(options: Options): void {
    this.memory.init(options);
    void Promise.resolve(this.shared.init?.(options)).catch((error: unknown) => this.outage.failed(error));
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    return this.either(() => this.shared.increment(key), () => this.memory.increment(key));
  }

  async decrement(key: string): Promise<void> {
    return this.either(() => this.shared.decrement(key), () => this.memory.decrement(key));
  }

  async resetKey(key: string): Promise<void> {
    return this.either(() => this.shared.resetKey(key), () => this.memory.resetKey(key));
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.either(() => this.shared.get?.(key), () => this.memory.get(key));
  }

  async shutdown(): Promise<void> {
    this.memory.shutdown();
    await this.shared.shutdown?.();
  }

  private async either<T>(shared: () => Promise<T> | T, local: () => Promise<T> | T): Promise<T> {
    let result: T;
    try {
      result = await shared();
    } catch (error) {
      this.outage.failed(error);
      return local();
    }
    this.outage.succeeded();
    return result;
  }
}
