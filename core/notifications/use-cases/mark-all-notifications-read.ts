import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { NotificationRepository } from '../ports/notification-repository.js';

/** Marks every unread notification of the caller read. */
export class MarkAllNotificationsRead {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor): Promise<E.Either<DomainError, void>> {
    await this.notifications.markAllRead(actor.userId, this.clock.now());
    return E.right(undefined);
  }
}
