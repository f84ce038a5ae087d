import { DataTypes } from 'sequelize';
import type { Migration } from './migration.js';

/**
 * Refresh sessions (one per login and device) and the tokens of each session's family.
 *
 * `refresh_sessions` holds what a user sees in their session list and the two deadlines: the
 * absolute `expires_at` and the sliding `idle_expires_at`. Its row is the family's lock: rotation
 * and revocation take it with SELECT ... FOR UPDATE before touching tokens, always in that order.
 *
 * `refresh_tokens` holds SHA-256 hashes only. A token is current until `spent_at` is set, and
 * then names the `successor_hash` it was exchanged for, so a replay within the grace window is
 * recognised and a later one revokes the family. Spent rows stay until the family's absolute
 * `expires_at` so reuse is detected for the session's whole life. Revocation lives on the session
 * row only: every token lookup goes through its session.
 */
export const refreshTokens: Migration = {
  name: '0003-refresh-tokens',
  async up({ context: qi }) {
    await qi.createTable('refresh_sessions', {
      id: { type: DataTypes.UUID, primaryKey: true },
      user_id: { type: DataTypes.UUID, allowNull: false },
      created_at: { type: 'TIMESTAMPTZ', allowNull: false },
      last_used_at: { type: 'TIMESTAMPTZ', allowNull: false },
      expires_at: { type: 'TIMESTAMPTZ', allowNull: false },
      idle_expires_at: { type: 'TIMESTAMPTZ', allowNull: false },
      user_agent: { type: DataTypes.TEXT, allowNull: true },
      ip: { type: DataTypes.STRING(64), allowNull: true },
      revoked_at: { type: 'TIMESTAMPTZ', allowNull: true },
    });
    await qi.createTable('refresh_tokens', {
      id: { type: DataTypes.UUID, primaryKey: true },
      token_hash: { type: DataTypes.STRING(128), allowNull: false },
      session_id: { type: DataTypes.UUID, allowNull: false },
      user_id: { type: DataTypes.UUID, allowNull: false },
      created_at: { type: 'TIMESTAMPTZ', allowNull: false },
      expires_at: { type: 'TIMESTAMPTZ', allowNull: false },
      spent_at: { type: 'TIMESTAMPTZ', allowNull: true },
      successor_hash: { type: DataTypes.STRING(128), allowNull: true },
    });
    const statements = [
      // Listing and ending a user's live sessions.
      'CREATE INDEX refresh_sessions_user_idx ON refresh_sessions (user_id, created_at) WHERE revoked_at IS NULL',
      // Purging ended sessions.
      'CREATE INDEX refresh_sessions_expires_idx ON refresh_sessions (expires_at)',
      'CREATE UNIQUE INDEX refresh_tokens_hash_uq ON refresh_tokens (token_hash)',
      'CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)',
      'CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at)',
    ];
    for (const sql of statements) await qi.sequelize.query(sql);
  },
  async down({ context: qi }) {
    await qi.dropTable('refresh_tokens');
    await qi.dropTable('refresh_sessions');
  },
};
