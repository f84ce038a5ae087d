import * as E from 'fp-ts/lib/Either.js';
import { conflict, notFound, type DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import type { User } from '../../core/identity/entities/user.js';
import { USER_KEYSET } from '../../core/identity/entities/user-cursor.js';
import type { UserFilter, UserRepository, UserSortField } from '../../core/identity/ports/user-repository.js';
import { keysetPage } from './keyset-page.js';
import { snapshotMap, type Snapshottable } from './snapshot.js';

/** Users in process memory; deleted rows are kept (as in Postgres) but invisible to every read. */
export class MemoryUserRepository implements UserRepository, Snapshottable {
  private readonly rows = new Map<string, User>();

  async insert(user: User): Promise<E.Either<DomainError, User>> {
    if (this.rows.has(user.id)) return E.left(conflict('A user with this id already exists'));
    const clash = this.clash(user);
    if (clash) return E.left(clash);
    this.rows.set(user.id, user);
    return E.right(user);
  }

  async update(user: User): Promise<E.Either<DomainError, User>> {
    const stored = this.rows.get(user.id);
    if (!stored || stored.deletedAt !== null) return E.left(notFound('User not found'));
    const clash = user.deletedAt === null ? this.clash(user) : null;
    if (clash) return E.left(clash);
    this.rows.set(user.id, user);
    return E.right(user);
  }

  async findById(id: string): Promise<User | null> {
    return this.live().find((u) => u.id === id) ?? null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const wanted = email.toLowerCase();
    return this.live().find((u) => u.email.toLowerCase() === wanted) ?? null;
  }

  async findByUsername(username: string): Promise<User | null> {
    const wanted = username.toLowerCase();
    return this.live().find((u) => u.username.toLowerCase() === wanted) ?? null;
  }

  async list(filter: UserFilter, sort: Sort<UserSortField>, page: PageQuery): Promise<E.Either<DomainError, Page<User>>> {
    const q = filter.q?.toLowerCase();
    const matching = this.live().filter(
      (u) =>
        (filter.role === undefined || u.role === filter.role) &&
        (filter.isActive === undefined || u.isActive === filter.isActive) &&
        (q === undefined || [u.email, u.username, u.fullName ?? ''].some((text) => text.toLowerCase().includes(q))),
    );
    return keysetPage(matching, USER_KEYSET, sort, page);
  }

  // Units of work already run one at a time here: no lock needed.
  async countActiveAdmins(): Promise<number> {
    return this.live().filter((u) => u.isActive && u.isSuperuser).length;
  }

  snapshot(): () => void {
    return snapshotMap(this.rows);
  }

  private live(): User[] {
    return [...this.rows.values()].filter((u) => u.deletedAt === null);
  }

  private clash(user: User): DomainError | null {
    const email = user.email.toLowerCase();
    const username = user.username.toLowerCase();
    for (const other of this.live()) {
      if (other.id === user.id) continue;
      if (other.email.toLowerCase() === email) return conflict('This email is already registered');
      if (other.username.toLowerCase() === username) return conflict('This username is taken');
    }
    return null;
  }
}
