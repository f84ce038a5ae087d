import * as E from 'fp-ts/lib/Either.js';
import type { Role } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { User } from '../entities/user.js';
import { storeNewUser, type UserFactory } from './user-factory.js';

export interface RegisterUserCommand {
  readonly email: string;
  readonly username: string;
  readonly password: string;
  readonly fullName?: string | null | undefined;
  readonly role?: Role | undefined;
}

/** Self-service sign-up: always an ordinary, active, unverified account. */
export class RegisterUser {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly factory: UserFactory,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(cmd: RegisterUserCommand): Promise<E.Either<DomainError, User>> {
    const built = await this.factory.build({ ...cmd, isActive: true, isSuperuser: false, isVerified: false });
    if (E.isLeft(built)) return built;
    const user = built.right;
    return storeNewUser(this.uow, this.ids, this.clock, user, {
      type: 'user.registered',
      actorId: user.id,
      subjectId: user.id,
      data: { role: user.role },
    });
  }
}
