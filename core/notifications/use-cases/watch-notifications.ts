import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { invalidField, rateLimited, type DomainError } from '../../shared/entities/errors.js';
import { isUuid } from '../../shared/entities/entity-id.js';
import type { Notification } from '../entities/notification.js';
import type { NotificationBus } from '../ports/notification-bus.js';
import type { NotificationRepository } from '../ports/notification-repository.js';

/** One open stream of the caller's notifications. */
export interface NotificationWatch {
  /**
   * The next notifications not handed out yet, oldest first, at most `limit`, read from the
   * repository after the last one handed out: whatever the bus lost or repeated, nothing is
   * skipped and nothing comes twice.
   */
  next(limit: number): Promise<readonly Notification[]>;
  /** Ends the watch (idempotent): no more wake-ups, and the stream no longer counts against the limit. */
  close(): void;
}

export interface WatchNotificationsCommand {
  /** Resume after this notification id (the stream's `Last-Event-ID`); absent: only what comes from now on. */
  readonly lastEventId?: string | undefined;
  /** Called when there may be something new to read; the caller coalesces calls. */
  readonly onWake: () => void;
}

/** Seconds a client refused for too many streams is told to wait. */
export const STREAM_RETRY_AFTER_SECONDS = 5;

/**
 * Opens a stream of the caller's notifications: subscribes to the bus first, then fixes where
 * the stream starts, so nothing committed in between is missed. At most `maxPerUser` streams
 * per user in this process.
 */
export class WatchNotifications {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly notifications: NotificationRepository,
    private readonly bus: NotificationBus,
    private readonly maxPerUser: number,
  ) {}

  async execute(actor: Actor, command: WatchNotificationsCommand): Promise<E.Either<DomainError, NotificationWatch>> {
    const { lastEventId, onWake } = command;
    if (lastEventId !== undefined && !isUuid(lastEventId)) return E.left(invalidField('Last-Event-ID', 'must be the id of a notification'));
    const user = actor.userId;
    const count = this.open.get(user) ?? 0;
    if (count >= this.maxPerUser) {
      return E.left(rateLimited(STREAM_RETRY_AFTER_SECONDS, `At most ${this.maxPerUser} notification streams per user; close one first`));
    }
    this.open.set(user, count + 1);
    let closed = false;
    const unsubscribe = this.bus.subscribe({
      notified: (signal) => {
        if (!closed && signal.recipientId === user) onWake();
      },
      resync: () => {
        if (!closed) onWake();
      },
    });
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      const left = (this.open.get(user) ?? 1) - 1;
      if (left > 0) this.open.set(user, left);
      else this.open.delete(user);
    };
    let cursor: string | null;
    try {
      cursor = lastEventId !== undefined ? lastEventId.toLowerCase() : await this.notifications.latestId(user);
    } catch (error) {
      close();
      throw error;
    }
    return E.right({
      next: async (limit) => {
        const batch = await this.notifications.listAfter(user, cursor, limit);
        const last = batch.at(-1);
        if (last) cursor = last.id;
        return batch;
      },
      close,
    });
  }

  /** Streams open for `userId` in this process. */
  openStreams(userId: string): number {
    return this.open.get(userId) ?? 0;
  }
}
