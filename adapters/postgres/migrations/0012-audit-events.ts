import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/**
 * The audit trail: one row per domain event, keyed by the event's id so that a redelivered event
 * is not recorded twice. Kept apart from `outbox_events`, whose delivered rows are purged.
 * Newest-first pages are index range scans: `(occurred_at, id)` alone, and behind each filter
 * column (`type`, `actor_id`) for the filtered lists.
 */
export const auditEvents: Migration = {
  name: '0012-audit-events',
  async up({ context: qi }) {
    await qi.createTable('audit_events', {
      id: { type: DataTypes.UUID, primaryKey: true },
      type: { type: DataTypes.STRING(100), allowNull: false },
      actor_id: { type: DataTypes.UUID, allowNull: true },
      subject_id: { type: DataTypes.UUID, allowNull: true },
      request_id: { type: DataTypes.STRING(128), allowNull: true },
      occurred_at: { type: 'TIMESTAMPTZ', allowNull: false },
      data: { type: DataTypes.JSONB, allowNull: false },
      recorded_at: { type: 'TIMESTAMPTZ', allowNull: false, defaultValue: qi.sequelize.literal('now()') },
    });
    for (const sql of [
      'CREATE INDEX audit_events_occurred_idx ON audit_events (occurred_at, id)',
      'CREATE INDEX audit_events_type_idx ON audit_events (type, occurred_at, id)',
      'CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, occurred_at, id)',
    ]) {
      await qi.sequelize.query(sql);
    }
  },
  async down({ context: qi }) {
    await qi.dropTable('audit_events');
  },
};
