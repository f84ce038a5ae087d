import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../../shared/entities/actor.js';
import { forbidden, type DomainError } from '../../shared/entities/errors.js';
import { pageQueryError, type Page, type PageQuery, type Sort } from '../../shared/entities/pagination.js';
import type { User } from '../entities/user.js';
import { USER_KEYSET } from '../entities/user-cursor.js';
import type { UserFilter, UserRepository, UserSortField } from '../ports/user-repository.js';

export interface ListUsersQuery {
  readonly filter: UserFilter;
  readonly sort: Sort<UserSortField>;
  readonly page: PageQuery;
}

export class ListUsers {
  constructor(private readonly users: UserRepository) {}

  async execute(actor: Actor, query: ListUsersQuery): Promise<E.Either<DomainError, Page<User>>> {
    if (!actor.isAdmin) return E.left(forbidden('Only admins can list users'));
    const invalid = pageQueryError(query.page, query.sort, USER_KEYSET);
    if (invalid !== null) return E.left(invalid);
    return this.users.list(query.filter, query.sort, query.page);
  }
}
