import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One login on one device: the family its refresh tokens belong to. */
export interface RefreshSessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  idle_expires_at: Date;
  user_agent: string | null;
  ip: string | null;
  revoked_at: Date | null;
  /** The user's credential version when the session was opened (or re-stamped by its own password change). */
  credential_version: number;
}

export type RefreshSessionModel = ModelStatic<Model<RefreshSessionRow, RefreshSessionRow> & RefreshSessionRow>;

export const defineRefreshSessionModel = (sequelize: Sequelize): RefreshSessionModel =>
  sequelize.define(
    'RefreshSession',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      user_id: { type: DataTypes.UUID, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      last_used_at: { type: DataTypes.DATE, allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      idle_expires_at: { type: DataTypes.DATE, allowNull: false },
      user_agent: { type: DataTypes.TEXT, allowNull: true },
      ip: { type: DataTypes.STRING(64), allowNull: true },
      revoked_at: { type: DataTypes.DATE, allowNull: true },
      credential_version: { type: DataTypes.INTEGER, allowNull: false },
    },
    { tableName: 'refresh_sessions' },
  );
