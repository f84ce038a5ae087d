import type { DomainEvent, EventOutbox } from '../../core/shared/entities/events.js';
import type { PublishedEvent } from '../../core/shared/ports/event-handler.js';
import type { ClaimedEvent, OutboxQueue } from '../../core/shared/ports/outbox-queue.js';
import type { Snapshottable } from './snapshot.js';

export type RecordedEvent = PublishedEvent;

interface Delivery {
  attempts: number;
  availableAt: number;
  deliveredAt: number | null;
  failedAt: boolean;
  lastError: string | null;
}

/**
 * The memory profile's outbox: units of work record into it (rolled back with them), and the relay
 * claims, delivers and purges from it with the same lease rules as `outbox_events`.
 */
export class MemoryEventOutbox implements EventOutbox, OutboxQueue, Snapshottable {
  private readonly recorded: RecordedEvent[] = [];
  private readonly deliveries = new Map<string, Delivery>();

  constructor(private readonly currentRequestId: () => string | null = () => null) {}

  async record(event: DomainEvent): Promise<void> {
    this.recorded.push({ ...event, requestId: this.currentRequestId() });
  }

  /** Events committed and not purged, oldest first. */
  all(): readonly RecordedEvent[] {
    return [...this.recorded];
  }

  /** Delivery state of one event (tests, diagnostics). */
  delivery(id: string): Readonly<Delivery> | undefined {
    const d = this.deliveries.get(id);
    return d ? { ...d } : undefined;
  }

  snapshot(): () => void {
    const length = this.recorded.length;
    return () => {
      this.recorded.length = length;
    };
  }

  private state(id: string): Delivery {
    let d = this.deliveries.get(id);
    if (!d) {
      d = { attempts: 0, availableAt: 0, deliveredAt: null, failedAt: false, lastError: null };
      this.deliveries.set(id, d);
    }
    return d;
  }

  async claim(limit: number, now: Date, leaseUntil: Date): Promise<readonly ClaimedEvent[]> {
    const claimed: ClaimedEvent[] = [];
    const ordered = [...this.recorded].sort(
      (a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    for (const event of ordered) {
      if (claimed.length >= limit) break;
      const d = this.state(event.id);
      if (d.deliveredAt !== null || d.failedAt || d.availableAt > now.getTime()) continue;
      d.attempts += 1;
      d.availableAt = leaseUntil.getTime();
      claimed.push({ event, attempts: d.attempts });
    }
    return claimed;
  }

  async markDelivered(ids: readonly string[], at: Date): Promise<void> {
    for (const id of ids) this.state(id).deliveredAt = at.getTime();
  }

  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    const d = this.state(id);
    d.lastError = error;
    if (retryAt) d.availableAt = retryAt.getTime();
    else d.failedAt = true;
  }

  async purgeDelivered(before: Date): Promise<number> {
    const keep = this.recorded.filter((e) => {
      const at = this.deliveries.get(e.id)?.deliveredAt;
      return at === null || at === undefined || at >= before.getTime();
    });
    const removed = this.recorded.length - keep.length;
    for (const e of this.recorded) if (!keep.includes(e)) this.deliveries.delete(e.id);
    this.recorded.splice(0, this.recorded.length, ...keep);
    return removed;
  }
}
