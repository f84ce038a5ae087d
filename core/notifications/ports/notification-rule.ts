import type { DomainEvent } from '../../shared/entities/events.js';

/** What one person should be told about an event. */
export interface NotificationDraft {
  readonly recipientId: string;
  /** Machine-readable kind, e.g. `schedule.booked`. */
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Turns the events of one module into notifications for the people they concern. */
export interface NotificationRule {
  readonly eventTypes: readonly string[];
  draft(event: DomainEvent): readonly NotificationDraft[];
}
