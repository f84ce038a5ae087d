import { QueryTypes, type QueryInterface, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Migration } from './migration.js';
import { outboxEvents } from './0001-outbox-events.js';
import { users } from './0002-users.js';
import { refreshTokens } from './0003-refresh-tokens.js';
import { records } from './0004-records.js';
import { files } from './0005-files.js';
import { idempotencyKeys } from './0006-idempotency-keys.js';
import { usersActiveAdmins } from './0007-users-active-admins.js';
import { credentialVersion } from './0008-credential-version.js';
import { schedules } from './0009-schedules.js';
import { outboxDelivery } from './0010-outbox-delivery.js';
import { jobs } from './0011-jobs.js';
import { auditEvents } from './0012-audit-events.js';
import { notifications } from './0013-notifications.js';
import { retentionAndJobRequests } from './0014-retention-and-job-requests.js';
// modules: import each migration here

export type { Migration } from './migration.js';

/**
 * Every migration, in the order they apply. An explicit list rather than a glob: it works the
 * same from TypeScript sources and from a build, and a missing file fails the typecheck.
 */
export const migrations: readonly Migration[] = [
  outboxEvents,
  users,
  refreshTokens,
  records,
  files,
  idempotencyKeys,
  usersActiveAdmins,
  credentialVersion,
  schedules,
  outboxDelivery,
  jobs,
  auditEvents,
  notifications,
  retentionAndJobRequests,
  // modules: append new migrations here (never reorder or edit one that has shipped)
];

export interface MigrationLogger {
  info(message: string): void;
}

const migrator = (sequelize: Sequelize, logger?: MigrationLogger) =>
  new Umzug<QueryInterface>({
    migrations: migrations.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: logger
      ? {
          info: (e) => logger.info(typeof e === 'object' && e && 'event' in e ? `${String(e['event'])} ${String(e['name'] ?? '')}` : String(e)),
          warn: (e) => logger.info(String(JSON.stringify(e))),
          error: (e) => logger.info(String(JSON.stringify(e))),
          debug: () => undefined,
        }
      : undefined,
  });

/** Applies pending migrations, one at a time; returns the names applied. */
export const migrateUp = async (sequelize: Sequelize, logger?: MigrationLogger): Promise<string[]> => {
  const applied = await migrator(sequelize, logger).up();
  return applied.map((m) => m.name);
};

export const pendingMigrations = async (sequelize: Sequelize): Promise<string[]> =>
  (await migrator(sequelize).pending()).map((m) => m.name);

/**
 * The newest applied migration's name (the schema version), or null on an empty database. One
 * plain SELECT (readiness probes call it): names sort in application order (`0007-...`).
 */
export const schemaVersion = async (sequelize: Sequelize): Promise<string | null> => {
  const [exists] = await sequelize.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present", { type: QueryTypes.SELECT });
  if (!exists?.present) return null;
  const [row] = await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name DESC LIMIT 1', { type: QueryTypes.SELECT });
  return row?.name ?? null;
};

export const migrateDown = async (sequelize: Sequelize, logger?: MigrationLogger): Promise<string[]> =>
  (await migrator(sequelize, logger).down()).map((m) => m.name);

/**
 * Brings the schema to exactly `name`: applies the migrations up to it, or reverts those after it
 * (an import loads rows at the schema version they were exported from). Throws when `name` is not
 * one of this version's migrations.
 */
export const migrateTo = async (sequelize: Sequelize, name: string, logger?: MigrationLogger): Promise<{ applied: string[]; reverted: string[] }> => {
  const names = migrations.map((m) => m.name);
  const target = names.indexOf(name);
  if (target < 0) throw new Error(`unknown migration ${name}`);
  const current = await schemaVersion(sequelize);
  const at = current === null ? -1 : names.indexOf(current);
  if (at < target) return { applied: (await migrator(sequelize, logger).up({ to: name })).map((m) => m.name), reverted: [] };
  if (at > target) return { applied: [], reverted: (await migrator(sequelize, logger).down({ to: names[target + 1]! })).map((m) => m.name) };
  return { applied: [], reverted: [] };
};
