import type { Clock } from '../ports/clock.js';
import { DependencyUnavailableError } from '../entities/errors.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Logger } from '../ports/logger.js';
import type { ClaimedEvent, OutboxQueue } from '../ports/outbox-queue.js';

export interface RelaySettings {
  /** Events leased per claim. */
  readonly batchSize: number;
  /** How long a claim holds its events before another relay may take them again. */
  readonly leaseMs: number;
  /** Attempts before an event is given up (kept, with its error, never purged). */
  readonly maxAttempts: number;
  /** Backoff after the n-th failed attempt: baseBackoffMs * 2^(n-1), at most maxBackoffMs. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /**
   * Hand-overs of one claimed batch in flight at once, started oldest first. 1 hands them over one
   * by one (the in-process transport, whose hand-over runs the handlers); a queue transport takes
   * more, so a batch costs about one round trip to it instead of one per event.
   */
  readonly publishConcurrency: number;
}

export const DEFAULT_RELAY_SETTINGS: RelaySettings = {
  batchSize: 100,
  leaseMs: 60_000,
  maxAttempts: 10,
  baseBackoffMs: 1_000,
  maxBackoffMs: 15 * 60_000,
  publishConcurrency: 1,
};

export const backoffMs = (settings: RelaySettings, attempts: number): number =>
  Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** Math.max(0, attempts - 1));

export interface RelayRound {
  readonly claimed: number;
  readonly delivered: number;
  readonly failed: number;
}

/**
 * The outbox relay's one step: lease a batch of committed events, hand each to the publisher, and
 * mark it delivered; a failed hand-over is retried with exponential backoff, then given up (kept
 * and logged; an outage of the transport is retried without limit). At least once: a relay that dies after publishing and before marking leaves the
 * event to be published again when its lease runs out.
 */
export class DeliverOutboxEvents {
  constructor(
    private readonly outbox: OutboxQueue,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: RelaySettings = DEFAULT_RELAY_SETTINGS,
  ) {}

  async execute(): Promise<RelayRound> {
    const now = this.clock.now();
    const claimed = await this.outbox.claim(this.settings.batchSize, now, new Date(now.getTime() + this.settings.leaseMs));
    const delivered: string[] = [];
    let failed = 0;
    const handOver = async ({ event, attempts }: ClaimedEvent): Promise<void> => {
      try {
        await this.publisher.publish(event);
        delivered.push(event.id);
      } catch (error) {
        failed += 1;
        const message = error instanceof Error ? error.message : String(error);
        // An outage of the transport (Redis down) is no fault of the event: it is retried, never given up.
        const giveUp = attempts >= this.settings.maxAttempts && !(error instanceof DependencyUnavailableError);
        const retryAt = giveUp ? null : new Date(this.clock.now().getTime() + backoffMs(this.settings, attempts));
        const fields = { eventId: event.id, eventType: event.type, attempts, error: message };
        if (giveUp) this.logger.error('event delivery given up; the event is kept with its error', fields);
        else this.logger.warn('event delivery failed; it will be retried', { ...fields, retryAt: retryAt?.toISOString() });
        await this.outbox.markFailed(event.id, message.slice(0, 2_000), retryAt);
      }
    };
    // Up to `publishConcurrency` hand-overs at once, started oldest first.
    // Every lane runs to its end even when one fails (a failed markFailed), so nothing is still
    // publishing after this returns, and what was delivered is marked before the error surfaces.
    let next = 0;
    const lanes = await Promise.allSettled(
      Array.from({ length: Math.min(this.settings.publishConcurrency, claimed.length) }, async () => {
        while (next < claimed.length) await handOver(claimed[next++]!);
      }),
    );
    if (delivered.length > 0) await this.outbox.markDelivered(delivered, this.clock.now());
    const broken = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
    if (broken) throw broken.reason;
    return { claimed: claimed.length, delivered: delivered.length, failed };
  }
}
