import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One refresh token of a session family, by its SHA-256; spent once exchanged for its successor. */
export interface RefreshTokenRow {
  id: string;
  token_hash: string;
  session_id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  spent_at: Date | null;
  successor_hash: string | null;
}

export type RefreshTokenModel = ModelStatic<Model<RefreshTokenRow, RefreshTokenRow> & RefreshTokenRow>;

export const defineRefreshTokenModel = (sequelize: Sequelize): RefreshTokenModel =>
  sequelize.define(
    'RefreshToken',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      token_hash: { type: DataTypes.STRING(128), allowNull: false },
      session_id: { type: DataTypes.UUID, allowNull: false },
      user_id: { type: DataTypes.UUID, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      spent_at: { type: DataTypes.DATE, allowNull: true },
      successor_hash: { type: DataTypes.STRING(128), allowNull: true },
    },
    { tableName: 'refresh_tokens' },
  );
