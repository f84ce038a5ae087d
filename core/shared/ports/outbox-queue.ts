import type { PublishedEvent } from './event-handler.js';

/** An outbox event leased to one relay, and how many times it has been leased (this time included). */
export interface ClaimedEvent {
  readonly event: PublishedEvent;
  readonly attempts: number;
}

/**
 * The delivery side of the outbox: the committed events waiting to be handed to the publisher.
 * Several relays (API replicas, workers) share it. A claim leases events until `leaseUntil`:
 * other relays skip them meanwhile, and take them again once the lease has run out (the relay
 * died between claim and delivery), so nothing committed is ever lost.
 */
export interface OutboxQueue {
  /**
   * Leases up to `limit` due events, oldest first: undelivered, not given up, and not leased or
   * backing off past `now`. Each claim counts one attempt.
   */
  claim(limit: number, now: Date, leaseUntil: Date): Promise<readonly ClaimedEvent[]>;
  /** The events were handed over: they are never claimed again, and purged after the retention. */
  markDelivered(ids: readonly string[], at: Date): Promise<void>;
  /**
   * A delivery failed: claimable again from `retryAt`, or, when `retryAt` is null, given up and
   * kept (with its error) for an operator to see.
   */
  markFailed(id: string, error: string, retryAt: Date | null): Promise<void>;
  /** Deletes events delivered before `before`; returns how many. Given-up events are kept. */
  purgeDelivered(before: Date): Promise<number>;
}
