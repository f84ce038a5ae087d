import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { DomainError } from '../../shared/entities/errors.js';
import { pageQueryError, type Page, type PageQuery } from '../../shared/entities/pagination.js';
import type { Notification } from '../entities/notification.js';
import { NOTIFICATION_KEYSET, NOTIFICATION_SORT, type NotificationRepository } from '../ports/notification-repository.js';

export interface ListNotificationsQuery {
  readonly unreadOnly: boolean;
  readonly page: PageQuery;
}

/** The caller's own notifications, newest first. */
export class ListNotifications {
  constructor(private readonly notifications: NotificationRepository) {}

  async execute(actor: Actor, query: ListNotificationsQuery): Promise<E.Either<DomainError, Page<Notification>>> {
    const invalid = pageQueryError(query.page, NOTIFICATION_SORT, NOTIFICATION_KEYSET);
    if (invalid !== null) return E.left(invalid);
    return this.notifications.list({ recipientId: actor.userId, unreadOnly: query.unreadOnly }, query.page);
  }
}
