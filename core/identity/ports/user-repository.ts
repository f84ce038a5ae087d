import type { Either } from 'fp-ts/lib/Either.js';
import type { Role } from '../../shared/entities/actor.js';
import type { DomainError } from '../../shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../shared/entities/pagination.js';
import type { User } from '../entities/user.js';

export interface UserFilter {
  /** Case-insensitive "contains" over email, username and full name. */
  readonly q?: string | undefined;
  readonly role?: Role | undefined;
  readonly isActive?: boolean | undefined;
}

export type UserSortField = 'created_at' | 'email' | 'username';
export const USER_SORT_FIELDS: readonly UserSortField[] = ['created_at', 'email', 'username'];

/** Soft-deleted users are invisible to every read. */
export interface UserRepository {
  /** Left(Conflict) when the email or username is taken by a user that is not deleted. */
  insert(user: User): Promise<Either<DomainError, User>>;
  /** Replaces the stored user with the same id. Left(Conflict) on a uniqueness clash, Left(NotFound) when absent. */
  update(user: User): Promise<Either<DomainError, User>>;
  /** Inside a unit of work the user's row stays locked until it ends, so read-then-update cannot lose a concurrent change. */
  findById(id: string): Promise<User | null>;
  /** Case-insensitive. */
  findByEmail(email: string): Promise<User | null>;
  /** Case-insensitive. */
  findByUsername(username: string): Promise<User | null>;
  /**
   * Ordered by the sort key (email and username case-insensitively), then id in the same
   * direction. With `page.cursor` the page starts after the cursor's row (keyset, `page` ignored);
   * without it, `page` picks the page. `nextCursor` is always set: the position after this page's
   * last row, or null when nothing follows. A cursor not made for this sort is Left(Validation) on
   * field `cursor`. `total` counts every match.
   */
  list(filter: UserFilter, sort: Sort<UserSortField>, page: PageQuery): Promise<Either<DomainError, Page<User>>>;
  /**
   * Users that are active admins (`isActive` and `isSuperuser`), to keep the last one from being
   * disabled, demoted or deleted. Inside a unit of work it also holds the admin lock until the
   * transaction ends, so that two admins demoting each other at once count one after the other
   * rather than both counting two; call it before reading the user to change, so that read sees
   * the change of whoever held the lock before.
   */
  countActiveAdmins(): Promise<number>;
}
