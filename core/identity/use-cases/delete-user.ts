import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { entityId } from '../../shared/entities/entity-id.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { TokenStore } from '../ports/token-store.js';
import { lastAdminViolation } from '../entities/last-admin-rule.js';
import { mayAccessUser } from '../entities/user-access.js';

/**
 * Soft delete: the row stays for the audit trail, but no read sees it and its email and username
 * are free to be registered again. Every session ends. The last active admin cannot be deleted.
 */
export class DeleteUser {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: TokenStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, rawId: string): Promise<E.Either<DomainError, void>> {
    const userId = entityId(rawId);
    if (userId === null || !mayAccessUser(actor, userId)) return E.left(notFound('User not found'));
    const deleted = await this.uow.run(async (scope) => {
      // Counted before the read: the count holds the admin lock, so the user read is current.
      const admins = await scope.users.countActiveAdmins();
      const user = await scope.users.findById(userId);
      if (user === null) return E.left(notFound('User not found'));
      const now = this.clock.now();
      const lastAdmin = lastAdminViolation(admins, user, { ...user, deletedAt: now });
      if (lastAdmin) return E.left(lastAdmin);
      const updated = await scope.users.update({ ...user, deletedAt: now, updatedAt: now });
      if (E.isLeft(updated)) return updated;
      const spec = { type: 'user.deleted', actorId: actor.userId, subjectId: user.id };
      await scope.events.record(newEvent(this.ids, this.clock, spec));
      return E.right(undefined);
    });
    if (E.isLeft(deleted)) return deleted;
    await this.store.revokeAllForUser(userId, this.clock.now());
    return E.right(undefined);
  }
}
