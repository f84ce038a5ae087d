import { businessRule, type DomainError } from '../../shared/entities/errors.js';
import type { User } from './user.js';

const isActiveAdmin = (user: User): boolean => user.isActive && user.isSuperuser && user.deletedAt === null;

/**
 * Without an active admin nobody can reach the admin API any more (only the CLI's create-admin
 * recovers), so the change that would leave none is refused. `activeAdmins` is counted in the same
 * unit of work, before `before` was read.
 */
export const lastAdminViolation = (activeAdmins: number, before: User, after: User): DomainError | null =>
  activeAdmins <= 1 && isActiveAdmin(before) && !isActiveAdmin(after)
    ? businessRule('The last active administrator cannot be disabled, demoted or deleted')
    : null;
