import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import type { Clock } from '../../shared/ports/clock.js';
import { forbidden, invalidField, notFound, validation, type DomainError } from '../../shared/entities/errors.js';
import { entityId } from '../../shared/entities/entity-id.js';
import { newEvent } from '../../shared/entities/events.js';
import type { IdGenerator } from '../../shared/ports/ids.js';
import type { UnitOfWork } from '../../shared/ports/unit-of-work.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { TokenStore } from '../ports/token-store.js';
import type { User } from '../entities/user.js';
import { lastAdminViolation } from '../entities/last-admin-rule.js';
import { mayAccessUser } from '../entities/user-access.js';
import { applyPatch, changedFields, patchIssues, touchesAdminFields, type UserPatch } from '../entities/user-patch.js';
import type { UserRepository } from '../ports/user-repository.js';

/**
 * Self: profile fields. Admin: also role, is_active, is_superuser; disabling ends every session.
 * The last active admin cannot be disabled or demoted.
 */
export class UpdateUser {
  constructor(
    private readonly users: UserRepository,
    private readonly uow: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly store: TokenStore,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  async execute(actor: Actor, rawId: string, patch: UserPatch): Promise<E.Either<DomainError, User>> {
    const userId = entityId(rawId);
    if (userId === null || !mayAccessUser(actor, userId)) return E.left(notFound('User not found'));
    if (!actor.isAdmin && touchesAdminFields(patch)) {
      return E.left(forbidden('Only admins can change role, is_active or is_superuser'));
    }
    const issues = patchIssues(patch);
    if (issues.length > 0) return E.left(validation(issues));
    const loaded = await this.users.findById(userId);
    if (loaded === null) return E.left(notFound('User not found'));
    // Verified before the transaction: argon2 is slow on purpose, and on PGlite an open
    // transaction holds the whole database.
    const verifiedHash = await this.verifiedHash(actor, loaded, patch);

    const result = await this.uow.run(async (scope) => {
      // Counted before the read: the count holds the admin lock, so the user read is current.
      const admins = patch.isActive === false || patch.isSuperuser === false ? await scope.users.countActiveAdmins() : Infinity;
      const user = await scope.users.findById(userId);
      if (user === null) return E.left(notFound('User not found'));
      const next = applyPatch(user, patch);
      const lastAdmin = lastAdminViolation(admins, user, next);
      if (lastAdmin) return E.left(lastAdmin);
      // A password changed since the verification makes the one given no longer current: refused
      // like a wrong one (nothing changes; the client retries with the current password).
      if (next.email !== user.email && actor.userId === user.id && verifiedHash !== user.passwordHash) {
        const message = patch.currentPassword === undefined ? 'your current password is needed to change the email' : 'is incorrect';
        return E.left(invalidField('current_password', message));
      }
      const changed = changedFields(user, next);
      if (changed.length === 0) return E.right({ before: user, after: user });
      // Disabling also retires every session's credential version: should revoking them fail below,
      // enabling the account again does not bring them back.
      const credentialVersion = user.isActive && !next.isActive ? user.credentialVersion + 1 : user.credentialVersion;
      const updated = await scope.users.update({ ...next, credentialVersion, updatedAt: this.clock.now() });
      if (E.isLeft(updated)) return updated;
      // Names only (no personal data), plus the new value of the account's on/off and admin switches.
      const switches = { ...(user.isActive !== next.isActive ? { is_active: next.isActive } : {}), ...(user.isSuperuser !== next.isSuperuser ? { is_superuser: next.isSuperuser } : {}) };
      const spec = { type: 'user.updated', actorId: actor.userId, subjectId: user.id, data: { changed, ...switches } };
      await scope.events.record(newEvent(this.ids, this.clock, spec));
      return E.right({ before: user, after: updated.right });
    });
    if (E.isLeft(result)) return result;
    const { before, after } = result.right;
    // After commit: should revoking fail, authentication still refuses the disabled user.
    if (before.isActive && !after.isActive) await this.store.revokeAllForUser(after.id, this.clock.now());
    return E.right(after);
  }

  /** The hash the current password was checked against, when changing one's own email needs it and it matched. */
  private async verifiedHash(actor: Actor, user: User, patch: UserPatch): Promise<string | null> {
    const needed = actor.userId === user.id && applyPatch(user, patch).email !== user.email;
    if (!needed || patch.currentPassword === undefined) return null;
    return (await this.hasher.verify(user.passwordHash, patch.currentPassword)) ? user.passwordHash : null;
  }
}
