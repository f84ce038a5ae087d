import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/**
 * Schedules, with the overlap rules as exclusion constraints so that the database itself refuses
 * a double booking whatever the interleaving of transactions, processes or replicas: a giver's
 * live slots (available, pending, booked) never overlap, nor do a taker's pending and booked ones.
 * Ranges are half-open (`[)`), so end-to-start touching is allowed. `giver_id WITH =` inside a GiST
 * index needs btree_gist (shipped with Postgres; loaded by the embedded engine).
 *
 * Lists page by `starts_at` (keyset), alone for admins or behind the giver or taker filter.
 */
export const schedules: Migration = {
  name: '0009-schedules',
  async up({ context: qi }) {
    await qi.sequelize.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    await qi.createTable('schedules', {
      id: { type: DataTypes.UUID, primaryKey: true },
      giver_id: { type: DataTypes.UUID, allowNull: false },
      taker_id: { type: DataTypes.UUID, allowNull: true },
      starts_at: { type: 'TIMESTAMPTZ', allowNull: false },
      ends_at: { type: 'TIMESTAMPTZ', allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      note: { type: DataTypes.TEXT, allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: 'TIMESTAMPTZ', allowNull: false },
      created_by: { type: DataTypes.UUID, allowNull: true },
      created_by_role: { type: DataTypes.STRING(16), allowNull: false },
      updated_at: { type: 'TIMESTAMPTZ', allowNull: false },
      updated_by: { type: DataTypes.UUID, allowNull: true },
      updated_by_role: { type: DataTypes.STRING(16), allowNull: false },
    });
    const statements = [
      `ALTER TABLE schedules ADD CONSTRAINT schedules_status_check CHECK (status IN ('available', 'pending', 'booked', 'rejected', 'cancelled'))`,
      'ALTER TABLE schedules ADD CONSTRAINT schedules_time_order CHECK (ends_at > starts_at)',
      `ALTER TABLE schedules ADD CONSTRAINT schedules_giver_no_overlap EXCLUDE USING gist
         (giver_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (status IN ('available', 'pending', 'booked'))`,
      `ALTER TABLE schedules ADD CONSTRAINT schedules_taker_no_overlap EXCLUDE USING gist
         (taker_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (taker_id IS NOT NULL AND status IN ('pending', 'booked'))`,
      'CREATE INDEX schedules_starts_idx ON schedules (starts_at, id)',
      'CREATE INDEX schedules_giver_starts_idx ON schedules (giver_id, starts_at, id)',
      'CREATE INDEX schedules_taker_starts_idx ON schedules (taker_id, starts_at, id) WHERE taker_id IS NOT NULL',
      'CREATE INDEX schedules_status_starts_idx ON schedules (status, starts_at, id)',
    ];
    for (const sql of statements) await qi.sequelize.query(sql);
  },
  async down({ context: qi }) {
    // The extension stays: other tables may use it.
    await qi.dropTable('schedules');
  },
};
