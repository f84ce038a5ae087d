import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';

/** Something that happened in the domain, written in the same transaction as the state change. */
export interface DomainEvent {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: Date;
  readonly actorId: string | null;
  readonly subjectId: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Where a unit of work records its events (the outbox), committed with the state change. The
 * outbox relay delivers them to handlers afterwards (docs/events-and-jobs.md).
 */
export interface EventOutbox {
  record(event: DomainEvent): Promise<void>;
}

export interface EventSpec {
  readonly type: string;
  readonly actorId: string | null;
  readonly subjectId: string | null;
  readonly data?: Readonly<Record<string, unknown>>;
}

export const newEvent = (ids: IdGenerator, clock: Clock, spec: EventSpec): DomainEvent => ({
  id: ids.next(),
  type: spec.type,
  occurredAt: clock.now(),
  actorId: spec.actorId,
  subjectId: spec.subjectId,
  data: spec.data ?? {},
});
