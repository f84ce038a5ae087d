import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { entityId } from '../../shared/entities/entity-id.js';
import type { NotificationRepository } from '../ports/notification-repository.js';

/** Marks one of the caller's notifications read; anyone else's is as unknown as a missing one. Marking twice is fine. */
export class MarkNotificationRead {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, id: string): Promise<E.Either<DomainError, void>> {
    const key = entityId(id);
    const found = key !== null && (await this.notifications.markRead(actor.userId, key, this.clock.now()));
    return found ? E.right(undefined) : E.left(notFound('Notification not found'));
  }
}
