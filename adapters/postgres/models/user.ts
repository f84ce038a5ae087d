import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface UserRow {
  id: string;
  email: string;
  username: string;
  full_name: string | null;
  role: string;
  is_active: boolean;
  is_superuser: boolean;
  is_verified: boolean;
  password_hash: string;
  credential_version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export type UserModel = ModelStatic<Model<UserRow, UserRow> & UserRow>;

export const defineUserModel = (sequelize: Sequelize): UserModel =>
  sequelize.define(
    'User',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      email: { type: DataTypes.STRING(254), allowNull: false },
      username: { type: DataTypes.STRING(64), allowNull: false },
      full_name: { type: DataTypes.STRING(255), allowNull: true },
      role: { type: DataTypes.STRING(16), allowNull: false },
      is_active: { type: DataTypes.BOOLEAN, allowNull: false },
      is_superuser: { type: DataTypes.BOOLEAN, allowNull: false },
      is_verified: { type: DataTypes.BOOLEAN, allowNull: false },
      password_hash: { type: DataTypes.TEXT, allowNull: false },
      credential_version: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
      deleted_at: { type: DataTypes.DATE, allowNull: true },
    },
    { tableName: 'users' },
  );
