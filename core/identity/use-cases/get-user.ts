import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import { entityId } from '../../shared/entities/entity-id.js';
import type { User } from '../entities/user.js';
import { mayAccessUser } from '../entities/user-access.js';
import type { UserRepository } from '../ports/user-repository.js';

/** One user: the caller's own profile (`/auth/me`) or, for admins, anyone's. */
export class GetUser {
  constructor(private readonly users: UserRepository) {}

  /**
   * `readThisRequest`: the caller's own row as authentication read it in this same request, if the
   * caller has it; then the caller's own profile costs no second read of the same row.
   */
  async execute(actor: Actor, rawId: string, readThisRequest?: User | null): Promise<E.Either<DomainError, User>> {
    const userId = entityId(rawId);
    if (userId === null || !mayAccessUser(actor, userId)) return E.left(notFound('User not found'));
    const own = readThisRequest && userId === actor.userId && readThisRequest.id === userId ? readThisRequest : null;
    const user = own ?? (await this.users.findById(userId));
    return user === null ? E.left(notFound('User not found')) : E.right(user);
  }
}
