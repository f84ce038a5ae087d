import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface StoredFileRow {
  id: string;
  owner_id: string;
  filename: string;
  content_type: string;
  /** BIGINT: pg hands it back as a string. */
  size: number | string;
  sha256: string;
  object_key: string;
  created_at: Date;
  deleted_at: Date | null;
}

export type StoredFileModel = ModelStatic<Model<StoredFileRow, StoredFileRow> & StoredFileRow>;

export const defineStoredFileModel = (sequelize: Sequelize): StoredFileModel =>
  sequelize.define(
    'StoredFile',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      owner_id: { type: DataTypes.UUID, allowNull: false },
      filename: { type: DataTypes.STRING(255), allowNull: false },
      content_type: { type: DataTypes.STRING(127), allowNull: false },
      size: { type: DataTypes.BIGINT, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      object_key: { type: DataTypes.STRING(255), allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      deleted_at: { type: DataTypes.DATE, allowNull: true },
    },
    { tableName: 'files' },
  );
