import pLimit, { type LimitFunction } from 'p-limit';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

export interface SlotSettings {
  /** Operations running at once. */
  readonly concurrency: number;
  /** Operations allowed to wait for a slot (first in, first out); one more is refused at once. */
  readonly maxWaiting: number;
}

/**
 * A counting semaphore with a bounded FIFO queue (p-limit underneath, which queues first in, first
 * out and frees a slot whether the work resolves or rejects). When every slot is taken and the queue
 * is full, `run` rejects at once with DependencyUnavailableError(`name`), which the HTTP adapter
 * answers with 503 and Retry-After: a flood costs a bounded queue, never unbounded memory or
 * unbounded waits.
 */
export class BoundedSlots {
  private readonly limit: LimitFunction;

  constructor(
    private readonly name: string,
    private readonly settings: SlotSettings,
  ) {
    if (!Number.isInteger(settings.maxWaiting) || settings.maxWaiting < 0) throw new RangeError(`maxWaiting must be a non-negative integer, got ${settings.maxWaiting}`);
    this.limit = pLimit(settings.concurrency);
  }

  /** Operations running now. */
  get running(): number {
    return this.limit.activeCount;
  }

  /** Operations waiting for a slot. */
  get waiting(): number {
    return this.limit.pendingCount;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    // p-limit counts synchronously: a call made while every slot is taken is queued at once.
    if (this.limit.activeCount >= this.settings.concurrency && this.limit.pendingCount >= this.settings.maxWaiting) {
      return Promise.reject(new DependencyUnavailableError(this.name, { cause: new Error(`${this.settings.concurrency} running and ${this.settings.maxWaiting} waiting`) }));
    }
    return this.limit(work);
  }
}
