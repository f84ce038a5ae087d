import type { DomainEvent } from '../entities/events.js';

/** A committed domain event as the relay delivers it, with the request that caused it. */
export interface PublishedEvent extends DomainEvent {
  readonly requestId: string | null;
}

/**
 * Reacts to committed domain events. Delivery is at least once: `handle` may see the same event
 * again and must apply its effect once per event id (e.g. a unique key on the event id).
 */
export interface EventHandler {
  /** Stable name, used in logs and as the handler's idempotency scope. */
  readonly name: string;
  /** The event types it wants; '*' for every event. */
  readonly eventTypes: readonly string[] | '*';
  handle(event: PublishedEvent): Promise<void>;
}
