import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

export const idempotencyKeys: Migration = {
  name: '0006-idempotency-keys',
  async up({ context: qi }) {
    await qi.createTable('idempotency_keys', {
      id: { type: DataTypes.UUID, primaryKey: true },
      scope: { type: DataTypes.STRING(300), allowNull: false },
      key: { type: DataTypes.STRING(255), allowNull: false },
      request_hash: { type: DataTypes.STRING(64), allowNull: false },
      response: { type: DataTypes.JSONB, allowNull: true },
      claimed_at: { type: 'TIMESTAMPTZ', allowNull: false },
      expires_at: { type: 'TIMESTAMPTZ', allowNull: false },
    });
    // The claim is an INSERT ... ON CONFLICT on this pair; the purge scans by expiry.
    await qi.addIndex('idempotency_keys', ['scope', 'key'], { name: 'idempotency_keys_scope_key_idx', unique: true });
    await qi.addIndex('idempotency_keys', ['expires_at'], { name: 'idempotency_keys_expires_idx' });
  },
  async down({ context: qi }) {
    await qi.dropTable('idempotency_keys');
  },
};
