import type { KeysetKeys } from '../../shared/entities/pagination.js';
import type { User } from './user.js';
import type { UserSortField } from '../ports/user-repository.js';

/**
 * User sort keys as cursors carry them: email and username sort by their lower-cased value in
 * both adapters (Postgres stores emails lower-cased).
 */
export const USER_KEYSET: KeysetKeys<User, UserSortField> = {
  created_at: { kind: 'time', valueOf: (u) => u.createdAt.toISOString() },
  email: { kind: 'text', valueOf: (u) => u.email.toLowerCase() },
  username: { kind: 'text', valueOf: (u) => u.username.toLowerCase() },
};
