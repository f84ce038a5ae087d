import type { PublishedEvent } from './event-handler.js';

/**
 * Hands committed events to the handlers' transport. `publish` resolves once the transport has
 * taken responsibility for every event it was given (queued durably, or handled); it rejects
 * otherwise, and the relay tries again later. Publishing an event twice is allowed: transports
 * de-duplicate by event id where they can, and handlers are idempotent by event id anyway.
 */
export interface EventPublisher {
  publish(event: PublishedEvent): Promise<void>;
}
