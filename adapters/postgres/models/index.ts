import type { Sequelize } from 'sequelize';
import { defineOutboxEventModel } from './outbox-event.js';
import { defineRecordModel } from './record.js';
import { defineUserModel } from './user.js';
import { defineRefreshSessionModel } from './refresh-session.js';
import { defineRefreshTokenModel } from './refresh-token.js';
import { defineStoredFileModel } from './stored-file.js';
import { defineIdempotencyKeyModel } from './idempotency-key.js';
import { defineScheduleModel } from './schedule.js';
// modules: import each table's model definition here (use sequelize.define, as outbox-event.ts does)

/** Every table's model, defined once per Sequelize instance. */
export const defineModels = (sequelize: Sequelize) => ({
  OutboxEvent: defineOutboxEventModel(sequelize),
  Record: defineRecordModel(sequelize),
  User: defineUserModel(sequelize),
  RefreshSession: defineRefreshSessionModel(sequelize),
  RefreshToken: defineRefreshTokenModel(sequelize),
  StoredFile: defineStoredFileModel(sequelize),
  IdempotencyKey: defineIdempotencyKeyModel(sequelize),
  Schedule: defineScheduleModel(sequelize),
  // modules: add `Name: defineNameModel(sequelize),` here
});

export type Models = ReturnType<typeof defineModels>;
