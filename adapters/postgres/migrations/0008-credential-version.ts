import type { Migration } from './migration.js';

/**
 * `users.credential_version` is raised whenever the password changes (and when the account is
 * disabled); `refresh_sessions.credential_version` is the version a session was opened under.
 * Authentication refuses a session whose version is not the user's, so a login that raced a
 * password change cannot keep its session even when revoking it failed. Existing rows start at 1
 * on both sides, so sessions open before the upgrade stay valid.
 */
export const credentialVersion: Migration = {
  name: '0008-credential-version',
  async up({ context: qi }) {
    await qi.sequelize.query('ALTER TABLE users ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 1');
    await qi.sequelize.query('ALTER TABLE refresh_sessions ADD COLUMN credential_version INTEGER NOT NULL DEFAULT 1');
  },
  async down({ context: qi }) {
    await qi.sequelize.query('ALTER TABLE refresh_sessions DROP COLUMN credential_version');
    await qi.sequelize.query('ALTER TABLE users DROP COLUMN credential_version');
  },
};
