import * as E from 'fp-ts/lib/Either.js';
import type { Role } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { validation, type DomainError } from '../../shared/entities/errors.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import { newEvent, type EventSpec } from '../../shared/entities/events.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { PasswordPolicy } from '../entities/password-policy.js';
import type { User } from '../entities/user.js';
import { emailIssues, fullNameIssues, normalizeEmail, usernameIssues } from '../entities/user-fields.js';

export interface NewUserCommand {
  readonly email: string;
  readonly username: string;
  readonly password: string;
  readonly fullName?: string | null | undefined;
  readonly role?: Role | undefined;
  readonly isActive?: boolean | undefined;
  readonly isSuperuser?: boolean | undefined;
  readonly isVerified?: boolean | undefined;
}

/** Validates and builds a new user (not yet stored); shared by self-registration, admin creation and the CLI. */
export class UserFactory {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async build(cmd: NewUserCommand): Promise<E.Either<DomainError, User>> {
    const email = normalizeEmail(cmd.email);
    const issues = [
      ...emailIssues(email),
      ...usernameIssues(cmd.username),
      ...fullNameIssues(cmd.fullName),
      ...this.policy.check(cmd.password, { email, username: cmd.username }),
    ];
    if (issues.length > 0) return E.left(validation(issues));
    const now = this.clock.now();
    return E.right({
      id: this.ids.next(),
      email,
      username: cmd.username,
      fullName: cmd.fullName ?? null,
      role: cmd.role ?? 'taker',
      isActive: cmd.isActive ?? true,
      isSuperuser: cmd.isSuperuser ?? false,
      isVerified: cmd.isVerified ?? false,
      credentialVersion: 1,
      passwordHash: await this.hasher.hash(cmd.password),
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
  }
}

/** Stores a user built by `UserFactory` together with the event that announces it, in one unit of work. */
export const storeNewUser = (uow: UnitOfWork, ids: IdGenerator, clock: Clock, user: User, event: EventSpec): Promise<E.Either<DomainError, User>> =>
  uow.run(async (scope) => {
    const inserted = await scope.users.insert(user);
    if (E.isLeft(inserted)) return inserted;
    await scope.events.record(newEvent(ids, clock, event));
    return inserted;
  });
