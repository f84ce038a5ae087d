import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import { notFound, type DomainError } from '../shared/errors.js';
import { isUuid } from '../shared/ids.js';
import type { NotificationRepository } from './notification-repository.js';

/** Marks one of the caller's notifications read; anyone else's is as unknown as a missing one. Marking twice is fine. */
export class MarkNotificationRead {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, id: string): Promise<E.Either<DomainError, void>> {
    if (!isUuid(id)) return E.left(notFound('Notification not found'));
    const found = await this.notifications.markRead(actor.userId, id.toLowerCase(), this.clock.now());
    return found ? E.right(undefined) : E.left(notFound('Notification not found'));
  }
}
