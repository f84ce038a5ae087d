import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface ScheduleRow {
  id: string;
  giver_id: string;
  taker_id: string | null;
  starts_at: Date;
  ends_at: Date;
  status: string;
  note: string | null;
  version: number;
  created_at: Date;
  created_by: string | null;
  created_by_role: string;
  updated_at: Date;
  updated_by: string | null;
  updated_by_role: string;
}

export type ScheduleModel = ModelStatic<Model<ScheduleRow, ScheduleRow> & ScheduleRow>;

export const defineScheduleModel = (sequelize: Sequelize): ScheduleModel =>
  sequelize.define(
    'Schedule',
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      giver_id: { type: DataTypes.UUID, allowNull: false },
      taker_id: { type: DataTypes.UUID, allowNull: true },
      starts_at: { type: DataTypes.DATE, allowNull: false },
      ends_at: { type: DataTypes.DATE, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      note: { type: DataTypes.TEXT, allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      created_by: { type: DataTypes.UUID, allowNull: true },
      created_by_role: { type: DataTypes.STRING(16), allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
      updated_by: { type: DataTypes.UUID, allowNull: true },
      updated_by_role: { type: DataTypes.STRING(16), allowNull: false },
    },
    { tableName: 'schedules' },
  );
