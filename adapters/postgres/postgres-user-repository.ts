import * as E from 'fp-ts/lib/Either.js';
import { QueryTypes, type Transaction } from 'sequelize';
import { isRole } from '../../core/shared/entities/actor.js';
import { conflict, notFound, type DomainError } from '../../core/shared/entities/errors.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';
import type { User } from '../../core/identity/entities/user.js';
import { USER_KEYSET } from '../../core/identity/entities/user-cursor.js';
import type { UserFilter, UserRepository, UserSortField } from '../../core/identity/ports/user-repository.js';
import { guarded, inTx, uniqueViolation, type PostgresDatabase } from './database.js';
import { containsPattern, listKeyset, type KeysetTable } from './keyset-page.js';
import type { UserRow } from './models/user.js';

/** A `users` row as the entity (also used by PostgresTokenStore's one-statement session lookup). */
export const toUser = (row: UserRow): User => {
  if (!isRole(row.role)) throw new Error(`users.role holds an unknown value for ${row.id}`);
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    fullName: row.full_name,
    role: row.role,
    isActive: row.is_active,
    isSuperuser: row.is_superuser,
    isVerified: row.is_verified,
    passwordHash: row.password_hash,
    credentialVersion: row.credential_version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    deletedAt: row.deleted_at === null ? null : new Date(row.deleted_at),
  };
};

const toRow = (u: User): UserRow => ({
  id: u.id,
  email: u.email.toLowerCase(),
  username: u.username,
  full_name: u.fullName,
  role: u.role,
  is_active: u.isActive,
  is_superuser: u.isSuperuser,
  is_verified: u.isVerified,
  password_hash: u.passwordHash,
  credential_version: u.credentialVersion,
  created_at: u.createdAt,
  updated_at: u.updatedAt,
  deleted_at: u.deletedAt,
});

// Constraint names from migrations/0002-users.ts, to say which field clashed.
const CLASHES: Readonly<Record<string, string>> = {
  users_email_uq: 'This email is already registered',
  users_username_uq: 'This username is taken',
  users_pkey: 'A user with this id already exists',
};

// Sort keys as the `(key, id)` indexes of migrations/0002-users.ts spell them: byte order of the
// lower-cased value, as the memory adapter sorts (emails are stored lower-cased).
const USERS: KeysetTable<UserRow, User, UserSortField> = {
  table: 'users',
  sql: {
    created_at: { expression: 'created_at', type: 'timestamptz' },
    email: { expression: '(email COLLATE "C")', type: 'text' },
    username: { expression: '(lower(username) COLLATE "C")', type: 'text' },
  },
  keys: USER_KEYSET,
  toItem: toUser,
};

export class PostgresUserRepository implements UserRepository {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly transaction?: Transaction,
  ) {}

  async insert(user: User): Promise<E.Either<DomainError, User>> {
    return this.write(async (transaction) => {
      const row = await this.db.models.User.create(toRow(user), inTx(transaction));
      return E.right(toUser(row.get({ plain: true })));
    });
  }

  async update(user: User): Promise<E.Either<DomainError, User>> {
    const { id, created_at: _created, ...changes } = toRow(user);
    return this.write(async (transaction) => {
      const [, rows] = await this.db.models.User.update(changes, {
        where: { id, deleted_at: null },
        returning: true,
        ...inTx(transaction),
      });
      const row = rows[0];
      return row ? E.right(toUser(row.get({ plain: true }))) : E.left(notFound('User not found'));
    });
  }

  async findById(id: string): Promise<User | null> {
    return this.findOne({ id });
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.findOne({ email: email.toLowerCase() });
  }

  async findByUsername(username: string): Promise<User | null> {
    const rows = await guarded(() =>
      this.db.sequelize.query<UserRow>('SELECT * FROM users WHERE lower(username) = lower($username) AND deleted_at IS NULL', {
        bind: { username },
        type: QueryTypes.SELECT,
        ...inTx(this.transaction),
      }),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async list(filter: UserFilter, sort: Sort<UserSortField>, page: PageQuery): Promise<E.Either<DomainError, Page<User>>> {
    const where = ['deleted_at IS NULL'];
    const bind: Record<string, unknown> = {};
    if (filter.role !== undefined) {
      where.push('role = $role');
      bind['role'] = filter.role;
    }
    if (filter.isActive !== undefined) {
      where.push('is_active = $isActive');
      bind['isActive'] = filter.isActive;
    }
    if (filter.q !== undefined && filter.q !== '') {
      where.push("(email ILIKE $q ESCAPE '\\' OR username ILIKE $q ESCAPE '\\' OR full_name ILIKE $q ESCAPE '\\')");
      bind['q'] = containsPattern(filter.q);
    }
    return listKeyset(this.db, this.transaction, USERS, { where, bind }, sort, page);
  }

  async countActiveAdmins(): Promise<number> {
    if (this.transaction) {
      // READ COMMITTED lets two admins demoting each other each still count the other as an
      // admin; one transaction lock makes the second wait until the first commits, and its count
      // then sees that change.
      await guarded(() =>
        this.db.sequelize.query("SELECT pg_advisory_xact_lock(hashtextextended('portside.users.admins', 0))", {
          type: QueryTypes.SELECT,
          transaction: this.transaction,
        }),
      );
    }
    // Served by the partial index users_active_admins_idx (migration 0007).
    const [row] = await guarded(() =>
      this.db.sequelize.query<{ admins: string }>(
        'SELECT count(*) AS admins FROM users WHERE is_superuser AND is_active AND deleted_at IS NULL',
        { type: QueryTypes.SELECT, ...inTx(this.transaction) },
      ),
    );
    return Number(row?.admins ?? 0);
  }

  private async findOne(where: { id: string } | { email: string }): Promise<User | null> {
    const row = await guarded(() =>
      // Inside a unit of work a read precedes a write of the whole row: lock it, or two updates
      // that read the same row would each write back the other's fields unchanged.
      this.db.models.User.findOne({
        where: { ...where, deleted_at: null },
        raw: true,
        ...(this.transaction ? { transaction: this.transaction, lock: true } : {}),
      }),
    );
    return row ? toUser(row) : null;
  }

  /**
   * Runs a write, turning a unique violation into Left(Conflict). Inside a caller's transaction
   * it runs under a savepoint: a failed statement would otherwise abort that whole transaction,
   * and the caller may well carry on after a conflict.
   */
  private async write(
    work: (transaction: Transaction | undefined) => Promise<E.Either<DomainError, User>>,
  ): Promise<E.Either<DomainError, User>> {
    try {
      return await guarded(() =>
        this.transaction
          ? this.db.sequelize.transaction({ transaction: this.transaction }, (savepoint) => work(savepoint))
          : work(undefined),
      );
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === null) throw error;
      return E.left(conflict(CLASHES[constraint] ?? 'This user clashes with an existing one'));
    }
  }
}
