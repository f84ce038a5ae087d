import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/**
 * Housekeeping and tracing for the event and job tables:
 * - a partial index on `notifications.read_at`, so the retention purge of read notifications
 *   (NOTIFICATION_RETENTION_DAYS) reads only what it deletes instead of scanning every row;
 * - `jobs.request_id`: the id of the request that enqueued a job, so the runner's log lines for
 *   the job (in whichever process runs it) carry it, as the event handlers' lines already do.
 */
export const retentionAndJobRequests: Migration = {
  name: '0014-retention-and-job-requests',
  async up({ context: qi }) {
    await qi.sequelize.query('CREATE INDEX notifications_read_at_idx ON notifications (read_at) WHERE read_at IS NOT NULL');
    await qi.addColumn('jobs', 'request_id', { type: DataTypes.STRING(128), allowNull: true });
  },
  async down({ context: qi }) {
    await qi.removeColumn('jobs', 'request_id');
    await qi.sequelize.query('DROP INDEX IF EXISTS notifications_read_at_idx');
  },
};
