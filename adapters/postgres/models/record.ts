import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface RecordRow {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  config: Record<string, unknown>;
  status: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  created_by: string;
  updated_by: string;
  deleted_at: Date | null;
}

export type RecordModel = ModelStatic<Model<RecordRow, RecordRow> & RecordRow>;

export const defineRecordModel = (sequelize: Sequelize): RecordModel =>
  sequelize.define(
    'Record',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      owner_id: { type: DataTypes.UUID, allowNull: false },
      name: { type: DataTypes.STRING(255), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: true },
      config: { type: DataTypes.JSONB, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
      created_by: { type: DataTypes.UUID, allowNull: false },
      updated_by: { type: DataTypes.UUID, allowNull: false },
      deleted_at: { type: DataTypes.DATE, allowNull: true },
    },
    { tableName: 'records' },
  );
