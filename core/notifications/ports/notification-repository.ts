import type { Either } from 'fp-ts/lib/Either.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { KeysetKeys, Page, PageQuery, Sort } from '../../shared/entities/pagination.js';
import type { NewNotification, Notification } from '../entities/notification.js';

export interface NotificationFilter {
  readonly recipientId: string;
  /** Only those not read yet. */
  readonly unreadOnly?: boolean | undefined;
}

export type NotificationSortField = 'created_at';

/** The one order lists use: newest first. */
export const NOTIFICATION_SORT: Sort<NotificationSortField> = { field: 'created_at', direction: 'desc' };

export const NOTIFICATION_KEYSET: KeysetKeys<Notification, NotificationSortField> = {
  created_at: { kind: 'time', valueOf: (n) => n.createdAt.toISOString() },
};

export interface NotificationRepository {
  /**
   * Stores the notifications whose (eventId, recipientId) is not stored yet, all or none, and
   * returns those it stored. Ids come from `ids`, made while no other insert for the same
   * recipient can commit and after every id that recipient already has (idAfter): a recipient's
   * ids increase in commit order, so "after this id" never skips a late commit. Once committed,
   * the new ones are announced to every NotificationBus subscriber, in this process or another.
   */
  insertAll(notifications: readonly NewNotification[], ids: IdGenerator): Promise<readonly Notification[]>;
  /** The recipient's notifications after `afterId` (all when null), oldest first, at most `limit`. */
  listAfter(recipientId: string, afterId: string | null, limit: number): Promise<readonly Notification[]>;
  /** The id of the recipient's newest notification, or null. */
  latestId(recipientId: string): Promise<string | null>;
  /** Newest first (NOTIFICATION_SORT), keyset-paged like every list. */
  list(filter: NotificationFilter, page: PageQuery): Promise<Either<DomainError, Page<Notification>>>;
  /** Marks one of the recipient's notifications read (keeping an earlier read time); false when the recipient has none with that id. */
  markRead(recipientId: string, id: string, at: Date): Promise<boolean>;
  /** Marks every unread notification of the recipient read. */
  markAllRead(recipientId: string, at: Date): Promise<void>;
  /**
   * Retention: removes the notifications read before `before`, of every recipient; unread ones are
   * kept whatever their age. Returns how many it removed.
   */
  purgeReadBefore(before: Date): Promise<number>;
}
