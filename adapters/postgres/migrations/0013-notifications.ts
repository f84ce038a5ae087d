import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/**
 * Notifications: one per (event, recipient), which makes the handler idempotent. A recipient's
 * ids grow in commit order, so the stream reads "after this id" from `(recipient_id, id)`; lists
 * read newest first from `(recipient_id, created_at, id)`, the unread filter from a partial copy.
 */
export const notifications: Migration = {
  name: '0013-notifications',
  async up({ context: qi }) {
    await qi.createTable('notifications', {
      id: { type: DataTypes.UUID, primaryKey: true },
      recipient_id: { type: DataTypes.UUID, allowNull: false },
      event_id: { type: DataTypes.UUID, allowNull: false },
      kind: { type: DataTypes.STRING(100), allowNull: false },
      title: { type: DataTypes.STRING(200), allowNull: false },
      body: { type: DataTypes.TEXT, allowNull: false },
      data: { type: DataTypes.JSONB, allowNull: false },
      created_at: { type: 'TIMESTAMPTZ', allowNull: false },
      read_at: { type: 'TIMESTAMPTZ', allowNull: true },
    });
    for (const sql of [
      'CREATE UNIQUE INDEX notifications_event_recipient_key ON notifications (event_id, recipient_id)',
      'CREATE INDEX notifications_recipient_id_idx ON notifications (recipient_id, id)',
      'CREATE INDEX notifications_recipient_created_idx ON notifications (recipient_id, created_at, id)',
      'CREATE INDEX notifications_unread_idx ON notifications (recipient_id, created_at, id) WHERE read_at IS NULL',
    ]) {
      await qi.sequelize.query(sql);
    }
  },
  async down({ context: qi }) {
    await qi.dropTable('notifications');
  },
};
