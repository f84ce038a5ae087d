import type { Role } from '../../shared/entities/actor.js';
import type { FieldIssue } from '../../shared/entities/errors.js';
import type { User } from './user.js';
import { emailIssues, fullNameIssues, normalizeEmail, usernameIssues } from './user-fields.js';

export interface UserPatch {
  readonly fullName?: string | null | undefined;
  readonly username?: string | undefined;
  readonly email?: string | undefined;
  /** Required when users change their own email: a stolen access token alone must not take over the account. */
  readonly currentPassword?: string | undefined;
  readonly role?: Role | undefined;
  readonly isActive?: boolean | undefined;
  readonly isSuperuser?: boolean | undefined;
}

const FIELDS = {
  fullName: 'full_name',
  username: 'username',
  email: 'email',
  role: 'role',
  isActive: 'is_active',
  isSuperuser: 'is_superuser',
} as const;

export const touchesAdminFields = (patch: UserPatch): boolean =>
  patch.role !== undefined || patch.isActive !== undefined || patch.isSuperuser !== undefined;

export const patchIssues = (patch: UserPatch): FieldIssue[] => [
  ...(patch.email === undefined ? [] : emailIssues(normalizeEmail(patch.email))),
  ...(patch.username === undefined ? [] : usernameIssues(patch.username)),
  ...fullNameIssues(patch.fullName),
];

export const applyPatch = (user: User, patch: UserPatch): User => ({
  ...user,
  email: patch.email === undefined ? user.email : normalizeEmail(patch.email),
  username: patch.username ?? user.username,
  fullName: patch.fullName === undefined ? user.fullName : patch.fullName,
  role: patch.role ?? user.role,
  isActive: patch.isActive ?? user.isActive,
  isSuperuser: patch.isSuperuser ?? user.isSuperuser,
});

/** Contract names of the fields that differ, for the audit trail (names only: no personal data). */
export const changedFields = (before: User, after: User): string[] =>
  (Object.keys(FIELDS) as (keyof typeof FIELDS)[]).filter((k) => before[k] !== after[k]).map((k) => FIELDS[k]);
