import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface IdempotencyKeyRow {
  id: string;
  scope: string;
  key: string;
  request_hash: string;
  response: { status: number; data: unknown; headers: Record<string, string> } | null;
  claimed_at: Date;
  expires_at: Date;
}

export type IdempotencyKeyModel = ModelStatic<Model<IdempotencyKeyRow, IdempotencyKeyRow> & IdempotencyKeyRow>;

export const defineIdempotencyKeyModel = (sequelize: Sequelize): IdempotencyKeyModel =>
  sequelize.define(
    'IdempotencyKey',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      scope: { type: DataTypes.STRING(300), allowNull: false },
      key: { type: DataTypes.STRING(255), allowNull: false },
      request_hash: { type: DataTypes.STRING(64), allowNull: false },
      response: { type: DataTypes.JSONB, allowNull: true },
      claimed_at: { type: DataTypes.DATE, allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
    },
    { tableName: 'idempotency_keys' },
  );
