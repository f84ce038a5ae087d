import type { DomainEvent, EventOutbox } from '../../core/shared/events.js';
import type { Snapshottable } from './snapshot.js';

export interface RecordedEvent extends DomainEvent {
  readonly requestId: string | null;
}

export class MemoryEventOutbox implements EventOutbox, Snapshottable {
  private readonly recorded: RecordedEvent[] = [];

  constructor(private readonly currentRequestId: () => string | null = () => null) {}

  async record(event: DomainEvent): Promise<void> {
    this.recorded.push({ ...event, requestId: this.currentRequestId() });
  }

  /** Events committed so far, oldest first. */
  all(): readonly RecordedEvent[] {
    return [...this.recorded];
  }

  snapshot(): () => void {
    const length = this.recorded.length;
    return () => {
      this.recorded.length = length;
    };
  }
}
