import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { notFound, type DomainError } from '../../shared/entities/errors.js';
import type { User } from '../entities/user.js';
import { mayAccessUser } from '../entities/user-access.js';
import type { UserRepository } from '../ports/user-repository.js';

/** One user: the caller's own profile (`/auth/me`) or, for admins, anyone's. */
export class GetUser {
  constructor(private readonly users: UserRepository) {}

  async execute(actor: Actor, userId: string): Promise<E.Either<DomainError, User>> {
    const user = mayAccessUser(actor, userId) ? await this.users.findById(userId) : null;
    return user === null ? E.left(notFound('User not found')) : E.right(user);
  }
}
