import type { Migration } from './migration.js';

/**
 * Disabling, demoting or deleting a user counts the active admins first (the last one must stay).
 * A partial index over just those rows keeps that count as small as the number of admins, however
 * many users there are.
 */
export const usersActiveAdmins: Migration = {
  name: '0007-users-active-admins',
  async up({ context: qi }) {
    await qi.sequelize.query('CREATE INDEX users_active_admins_idx ON users (id) WHERE is_superuser AND is_active AND deleted_at IS NULL');
  },
  async down({ context: qi }) {
    await qi.sequelize.query('DROP INDEX IF EXISTS users_active_admins_idx');
  },
};
