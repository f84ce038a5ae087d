import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { forbidden, type DomainError } from '../../shared/entities/errors.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { User } from '../entities/user.js';
import { storeNewUser, type NewUserCommand, type UserFactory } from './user-factory.js';

/**
 * An account made by an admin, who may set `role`, `is_active` and `is_superuser`. Without an
 * actor (the `create-admin` CLI, run by whoever owns the server) it makes a verified superuser.
 */
export class CreateUser {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly factory: UserFactory,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor | 'operator', cmd: NewUserCommand): Promise<E.Either<DomainError, User>> {
    if (actor !== 'operator' && !actor.isAdmin) return E.left(forbidden('Only admins can create users'));
    const built = await this.factory.build(
      actor === 'operator' ? { ...cmd, isActive: true, isSuperuser: true, isVerified: true } : { ...cmd, isVerified: false },
    );
    if (E.isLeft(built)) return built;
    const user = built.right;
    return storeNewUser(this.uow, this.ids, this.clock, user, {
      type: 'user.created',
      actorId: actor === 'operator' ? null : actor.userId,
      subjectId: user.id,
      data: { role: user.role, is_active: user.isActive, is_superuser: user.isSuperuser },
    });
  }
}
