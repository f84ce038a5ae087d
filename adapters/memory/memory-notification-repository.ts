import type * as E from 'fp-ts/lib/Either.js';
import { idAfter, type NewNotification, type Notification } from '../../core/notifications/entities/notification.js';
import type { NotificationSignal } from '../../core/notifications/ports/notification-bus.js';
import {
  NOTIFICATION_KEYSET,
  NOTIFICATION_SORT,
  type NotificationFilter,
  type NotificationRepository,
} from '../../core/notifications/ports/notification-repository.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { IdGenerator } from '../../core/shared/ports/ids.js';
import type { Page, PageQuery } from '../../core/shared/entities/pagination.js';
import { keysetPage } from './keyset-page.js';

/** Notifications in process memory; `announce` hears each insert (the in-process bus). */
export class MemoryNotificationRepository implements NotificationRepository {
  private readonly rows = new Map<string, Notification>();
  private readonly keys = new Set<string>();

  constructor(private readonly announce: (signals: readonly NotificationSignal[]) => void = () => undefined) {}

  async insertAll(notifications: readonly NewNotification[], ids: IdGenerator): Promise<readonly Notification[]> {
    const stored: Notification[] = [];
    for (const n of notifications) {
      const key = `${n.eventId}:${n.recipientId}`;
      if (this.keys.has(key)) continue;
      const id = idAfter(ids.next(), this.latest(n.recipientId));
      const row: Notification = { ...n, id, data: structuredClone(n.data), readAt: null };
      this.keys.add(key);
      this.rows.set(id, row);
      stored.push(row);
    }
    if (stored.length > 0) this.announce(stored.map((n) => ({ recipientId: n.recipientId, notificationId: n.id })));
    return stored;
  }

  async listAfter(recipientId: string, afterId: string | null, limit: number): Promise<readonly Notification[]> {
    return this.of(recipientId)
      .filter((n) => afterId === null || n.id > afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, limit);
  }

  async latestId(recipientId: string): Promise<string | null> {
    return this.latest(recipientId);
  }

  async list(filter: NotificationFilter, page: PageQuery): Promise<E.Either<DomainError, Page<Notification>>> {
    const matching = this.of(filter.recipientId).filter((n) => !filter.unreadOnly || n.readAt === null);
    return keysetPage(matching, NOTIFICATION_KEYSET, NOTIFICATION_SORT, page);
  }

  async markRead(recipientId: string, id: string, at: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.recipientId !== recipientId) return false;
    if (row.readAt === null) this.rows.set(id, { ...row, readAt: at });
    return true;
  }

  async markAllRead(recipientId: string, at: Date): Promise<void> {
    for (const n of this.of(recipientId)) if (n.readAt === null) this.rows.set(n.id, { ...n, readAt: at });
  }

  async purgeReadBefore(before: Date): Promise<number> {
    let removed = 0;
    for (const [id, n] of this.rows) {
      if (n.readAt !== null && n.readAt.getTime() < before.getTime()) {
        this.rows.delete(id);
        this.keys.delete(`${n.eventId}:${n.recipientId}`);
        removed++;
      }
    }
    return removed;
  }

  private of(recipientId: string): Notification[] {
    return [...this.rows.values()].filter((n) => n.recipientId === recipientId);
  }

  private latest(recipientId: string): string | null {
    let latest: string | null = null;
    for (const n of this.rows.values()) if (n.recipientId === recipientId && (latest === null || n.id > latest)) latest = n.id;
    return latest;
  }
}
