import * as E from 'fp-ts/lib/Either.js';
import type { Actor } from '../shared/actor.js';
import { forbidden, type DomainError } from '../shared/errors.js';
import type { Page, PageQuery, Sort } from '../shared/pagination.js';
import type { User } from './user.js';
import type { UserFilter, UserRepository, UserSortField } from './user-repository.js';

export interface ListUsersQuery {
  readonly filter: UserFilter;
  readonly sort: Sort<UserSortField>;
  readonly page: PageQuery;
}

export class ListUsers {
  constructor(private readonly users: UserRepository) {}

  async execute(actor: Actor, query: ListUsersQuery): Promise<E.Either<DomainError, Page<User>>> {
    if (!actor.isAdmin) return E.left(forbidden('Only admins can list users'));
    return E.right(await this.users.list(query.filter, query.sort, query.page));
  }
}
