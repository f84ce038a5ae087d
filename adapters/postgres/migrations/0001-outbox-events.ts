import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

export const outboxEvents: Migration = {
  name: '0001-outbox-events',
  async up({ context: qi }) {
    await qi.createTable('outbox_events', {
      id: { type: DataTypes.UUID, primaryKey: true },
      type: { type: DataTypes.STRING(100), allowNull: false },
      actor_id: { type: DataTypes.UUID, allowNull: true },
      subject_id: { type: DataTypes.UUID, allowNull: true },
      request_id: { type: DataTypes.STRING(128), allowNull: true },
      data: { type: DataTypes.JSONB, allowNull: false },
      occurred_at: { type: 'TIMESTAMPTZ', allowNull: false },
      published_at: { type: 'TIMESTAMPTZ', allowNull: true },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    });
    // The relay reads unpublished events in order; the audit list filters by type, actor and time.
    await qi.addIndex('outbox_events', ['occurred_at', 'id'], {
      name: 'outbox_events_unpublished_idx',
      where: { published_at: null },
    });
    await qi.addIndex('outbox_events', ['type', 'occurred_at'], { name: 'outbox_events_type_idx' });
    await qi.addIndex('outbox_events', ['actor_id', 'occurred_at'], { name: 'outbox_events_actor_idx' });
    await qi.addIndex('outbox_events', ['occurred_at'], { name: 'outbox_events_occurred_idx' });
  },
  async down({ context: qi }) {
    await qi.dropTable('outbox_events');
  },
};
