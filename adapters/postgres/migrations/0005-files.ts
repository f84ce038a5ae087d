import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/**
 * File metadata; the bytes live in object storage under `object_key`. Reads skip deleted rows,
 * so the indexes are partial: one serves an owner's newest-first list and the quota sum.
 * `filename` is 255 characters, not bytes, as the core bounds it.
 */
export const files: Migration = {
  name: '0005-files',
  async up({ context: qi }) {
    await qi.createTable('files', {
      id: { type: DataTypes.UUID, primaryKey: true },
      owner_id: { type: DataTypes.UUID, allowNull: false },
      filename: { type: DataTypes.STRING(255), allowNull: false },
      content_type: { type: DataTypes.STRING(127), allowNull: false },
      size: { type: DataTypes.BIGINT, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      object_key: { type: DataTypes.STRING(255), allowNull: false },
      created_at: { type: 'TIMESTAMPTZ', allowNull: false },
      deleted_at: { type: 'TIMESTAMPTZ', allowNull: true },
    });
    await qi.sequelize.query(
      'CREATE INDEX files_owner_created_idx ON files (owner_id, created_at DESC, id DESC) INCLUDE (size) WHERE deleted_at IS NULL',
    );
    await qi.sequelize.query('CREATE UNIQUE INDEX files_object_key_idx ON files (object_key)');
  },
  async down({ context: qi }) {
    await qi.dropTable('files');
  },
};
