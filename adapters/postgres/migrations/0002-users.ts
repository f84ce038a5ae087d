import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';
import { ensureTrigram } from './trigram.js';

/**
 * Emails are stored lower-cased, so `email` itself is the unique key; usernames keep the case
 * their owner chose and are unique on `lower(username)`. Both uniques are partial on
 * `deleted_at IS NULL`: a deleted account frees its email and username for a new registration.
 * The constraint names are read back by the repository to say which field clashed.
 *
 * Sorts on email and username are byte order of the lower-cased value (`COLLATE "C"`), identical
 * on every server locale and in the memory adapter. `q` (contains over email, username and full
 * name) is backed by pg_trgm GIN indexes when the server offers the extension; without it the
 * filter still works by scanning.
 */
export const users: Migration = {
  name: '0002-users',
  async up({ context: qi }) {
    await qi.createTable('users', {
      id: { type: DataTypes.UUID, primaryKey: true },
      email: { type: DataTypes.STRING(254), allowNull: false },
      username: { type: DataTypes.STRING(64), allowNull: false },
      full_name: { type: DataTypes.STRING(255), allowNull: true },
      role: { type: DataTypes.STRING(16), allowNull: false },
      is_active: { type: DataTypes.BOOLEAN, allowNull: false },
      is_superuser: { type: DataTypes.BOOLEAN, allowNull: false },
      is_verified: { type: DataTypes.BOOLEAN, allowNull: false },
      password_hash: { type: DataTypes.TEXT, allowNull: false },
      created_at: { type: 'TIMESTAMPTZ', allowNull: false },
      updated_at: { type: 'TIMESTAMPTZ', allowNull: false },
      deleted_at: { type: 'TIMESTAMPTZ', allowNull: true },
    });
    const live = 'WHERE deleted_at IS NULL';
    const statements = [
      `ALTER TABLE users ADD CONSTRAINT users_email_lower_ck CHECK (email = lower(email))`,
      `CREATE UNIQUE INDEX users_email_uq ON users (email) ${live}`,
      `CREATE UNIQUE INDEX users_username_uq ON users ((lower(username))) ${live}`,
      `CREATE INDEX users_created_idx ON users (created_at, id) ${live}`,
      `CREATE INDEX users_email_sort_idx ON users ((email COLLATE "C"), id) ${live}`,
      `CREATE INDEX users_username_sort_idx ON users ((lower(username) COLLATE "C"), id) ${live}`,
      `CREATE INDEX users_role_idx ON users (role) ${live}`,
    ];
    for (const sql of statements) await qi.sequelize.query(sql);
    if (!(await ensureTrigram(qi))) return;
    for (const column of ['email', 'username', 'full_name']) {
      await qi.sequelize.query(`CREATE INDEX users_${column}_trgm_idx ON users USING gin (${column} gin_trgm_ops) ${live}`);
    }
  },
  async down({ context: qi }) {
    // The extension stays: other tables may use it.
    await qi.dropTable('users');
  },
};
