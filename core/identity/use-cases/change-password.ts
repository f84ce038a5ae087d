import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { invalidField, notFound, validation, type DomainError } from '../../shared/entities/errors.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { PasswordPolicy } from '../entities/password-policy.js';
import type { TokenStore } from '../ports/token-store.js';
import type { UserRepository } from '../ports/user-repository.js';

export interface ChangePasswordCommand {
  readonly currentPassword: string;
  readonly newPassword: string;
}

/**
 * Keeps the caller's session and ends every other one: whoever else knew the old password is out.
 * The user's credential version goes up with the new hash, which by itself ends every session
 * opened under the old password (authentication compares versions); the revocations keep the
 * session store tidy and the session list true.
 */
export class ChangePassword {
  constructor(
    private readonly users: UserRepository,
    private readonly uow: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly store: TokenStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, cmd: ChangePasswordCommand): Promise<E.Either<DomainError, void>> {
    const user = await this.users.findById(actor.userId);
    if (user === null) return E.left(notFound('User not found'));
    if (!(await this.hasher.verify(user.passwordHash, cmd.currentPassword))) {
      return E.left(invalidField('current_password', 'is incorrect'));
    }
    const issues = this.policy.check(cmd.newPassword, user, 'new_password');
    if (issues.length > 0) return E.left(validation(issues));
    // Hash outside the transaction: argon2 is slow on purpose and the database need not wait for it.
    const passwordHash = await this.hasher.hash(cmd.newPassword);
    // Sessions first: should this fail, the password is unchanged and the same request can be
    // retried (revoking is idempotent).
    await this.store.revokeAllForUser(user.id, this.clock.now(), actor.sessionId);
    const credentialVersion = user.credentialVersion + 1;
    const changed = await this.uow.run(async (scope): Promise<E.Either<DomainError, void>> => {
      const current = await scope.users.findById(user.id);
      if (current === null) return E.left(notFound('User not found'));
      // Changed by someone else since it was verified: the password given is no longer current.
      if (current.credentialVersion !== user.credentialVersion) return E.left(invalidField('current_password', 'is incorrect'));
      const updated = await scope.users.update({ ...current, passwordHash, credentialVersion, updatedAt: this.clock.now() });
      if (E.isLeft(updated)) return updated;
      const spec = { type: 'password.changed', actorId: user.id, subjectId: user.id };
      await scope.events.record(newEvent(this.ids, this.clock, spec));
      return E.right(undefined);
    });
    if (E.isLeft(changed)) return changed;
    // After the commit, never before: a session stamped with a version the user does not have yet
    // would come back to life if a later change committed that version. Not failed on (the
    // password is changed and the client cannot retry with the old one): should it fail, this
    // session ends too, and the user logs in with the new password.
    await this.store.setCredentialVersion(actor.sessionId, credentialVersion).catch(() => undefined);
    // Again, for a login that opened its session after the first revoke: it is refused already
    // (old version); this takes it off the session list. Best effort for the same reason.
    await this.store.revokeAllForUser(user.id, this.clock.now(), actor.sessionId).catch(() => undefined);
    return changed;
  }
}
