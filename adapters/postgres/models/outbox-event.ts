import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface OutboxEventRow {
  id: string;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  request_id: string | null;
  data: Record<string, unknown>;
  occurred_at: Date;
  published_at: Date | null;
  attempts: number;
  available_at?: Date | null;
  last_error?: string | null;
  given_up_at?: Date | null;
}

export type OutboxEventModel = ModelStatic<Model<OutboxEventRow, OutboxEventRow> & OutboxEventRow>;

// sequelize.define (not a shared Model class) so that each Sequelize instance gets its own model:
// tests open PGlite and Postgres side by side in one process.
export const defineOutboxEventModel = (sequelize: Sequelize): OutboxEventModel =>
  sequelize.define('OutboxEvent', {
    id: { type: DataTypes.UUID, primaryKey: true },
    type: { type: DataTypes.STRING(100), allowNull: false },
    actor_id: { type: DataTypes.UUID, allowNull: true },
    subject_id: { type: DataTypes.UUID, allowNull: true },
    request_id: { type: DataTypes.STRING(128), allowNull: true },
    data: { type: DataTypes.JSONB, allowNull: false },
    occurred_at: { type: DataTypes.DATE, allowNull: false },
    published_at: { type: DataTypes.DATE, allowNull: true },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    available_at: { type: DataTypes.DATE, allowNull: true },
    last_error: { type: DataTypes.TEXT, allowNull: true },
    given_up_at: { type: DataTypes.DATE, allowNull: true },
  }, { tableName: 'outbox_events' });
