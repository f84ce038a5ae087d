import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';
import { ensureTrigram } from './trigram.js';

/**
 * Every read skips soft-deleted rows, so the indexes are partial on `deleted_at IS NULL`.
 * Each sort key is indexed with `id` (alone for admins, behind `owner_id` for everyone else) so a
 * keyset page is one index range scan however deep it is. The name sort is case-insensitive in
 * byte order (`lower(name) COLLATE "C"`), identical on every server locale and in memory.
 *
 * `q` (name contains) is backed by a pg_trgm GIN index when the server offers the extension.
 * Real Postgres ships it; PGlite has it only when loaded at startup (`extensions: { pg_trgm }`).
 * Without it the filter still works, scanning the rows the owner/status indexes leave.
 */
export const records: Migration = {
  name: '0004-records',
  async up({ context: qi }) {
    await qi.createTable('records', {
      id: { type: DataTypes.UUID, primaryKey: true },
      owner_id: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.STRING(255), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: true },
      config: { type: DataTypes.JSONB, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: 'TIMESTAMPTZ', allowNull: false },
      updated_at: { type: 'TIMESTAMPTZ', allowNull: false },
      created_by: { type: DataTypes.UUID, allowNull: false },
      updated_by: { type: DataTypes.UUID, allowNull: false },
      deleted_at: { type: 'TIMESTAMPTZ', allowNull: true },
    });
    const live = 'WHERE deleted_at IS NULL';
    const statements = [
      `CREATE INDEX records_created_idx ON records (created_at, id) ${live}`,
      `CREATE INDEX records_updated_idx ON records (updated_at, id) ${live}`,
      `CREATE INDEX records_name_idx ON records ((lower(name) COLLATE "C"), id) ${live}`,
      `CREATE INDEX records_owner_created_idx ON records (owner_id, created_at, id) ${live}`,
      `CREATE INDEX records_owner_updated_idx ON records (owner_id, updated_at, id) ${live}`,
      `CREATE INDEX records_owner_name_idx ON records (owner_id, (lower(name) COLLATE "C"), id) ${live}`,
      `CREATE INDEX records_owner_status_idx ON records (owner_id, status) ${live}`,
      `CREATE INDEX records_status_idx ON records (status) ${live}`,
    ];
    for (const sql of statements) await qi.sequelize.query(sql);
    if (!(await ensureTrigram(qi))) return;
    await qi.sequelize.query(`CREATE INDEX records_name_trgm_idx ON records USING gin (name gin_trgm_ops) ${live}`);
  },
  async down({ context: qi }) {
    // The extension stays: other tables may use it.
    await qi.dropTable('records');
  },
};
