import { join, resolve } from 'node:path';
import type { Logger } from '../core/shared/ports/logger.js';
import type { ReadinessCheck } from '../adapters/http/app.js';
import { closeDatabase, openPostgres, pingDatabase, type PostgresDatabase } from '../adapters/postgres/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../adapters/postgres/embedded-server.js';
import { defaultTemplateCacheDir, seedFromTemplate } from '../adapters/postgres/embedded-template.js';
import { migrateUp, pendingMigrations, schemaVersion } from '../adapters/postgres/migrations/index.js';
import type { RedisClient } from '../adapters/redis/redis-client.js';
import type { Config } from './config.js';
import type { MaintenanceTask } from './maintenance.js';
import { resolveJwtSecret } from './secrets.js';
import { databaseStartupError, dataDirStartupError, describeDatabaseUrl, StartupError } from './startup-error.js';

/**
 * The long-lived connections a deployment's adapters share: started before the container is
 * built, closed last on shutdown (in reverse order of opening).
 */
export interface Infrastructure {
  readonly database: PostgresDatabase | null;
  readonly redis: RedisClient | null;
  readonly jwtSecret: string;
  readonly readiness: ReadinessCheck[];
  /** Modules register housekeeping for the adapters they chose (composition/maintenance.ts). */
  readonly maintenance: MaintenanceTask[];
  /** Modules register what they open; it is closed on shutdown, newest first. */
  onClose(close: () => Promise<void>): void;
  close(): Promise<void>;
}

export interface InfrastructureOptions {
  /** Apply pending migrations at start (embedded and development; `npm run migrate` otherwise). */
  readonly migrate: boolean;
  /**
   * Without `migrate`, refuse a database with pending migrations (StartupError naming
   * `npm run migrate`). Default true; false only for `migrate` itself.
   */
  readonly requireCurrentSchema?: boolean;
  /**
   * An empty embedded DATA_DIR starts from the migrated template (default true). Export and import
   * pass false: an import builds the archive's schema by migrating up to it, and a refused import
   * leaves a new target without any schema.
   */
  readonly fromTemplate?: boolean;
}

/** An empty DATA_DIR starts from the migrated template (adapters/postgres/embedded-template.ts) unless EMBEDDED_TEMPLATE_DIR=off. */
const embeddedSeed = (config: Config, log: Logger) => {
  const dir = templateCacheDir(config);
  return dir ? seedFromTemplate(dir, log) : undefined;
};

/** The template cache EMBEDDED_TEMPLATE_DIR names (relative to the working directory), the default one, or null for `off`. */
export const templateCacheDir = (config: Pick<Config, 'embeddedTemplateDir'>): string | null =>
  config.embeddedTemplateDir === 'off' ? null : config.embeddedTemplateDir ? resolve(config.embeddedTemplateDir) : defaultTemplateCacheDir();

export const startInfrastructure = async (config: Config, logger: Logger, options: InfrastructureOptions): Promise<Infrastructure> => {
  const closers: (() => Promise<void>)[] = [];
  const readiness: ReadinessCheck[] = [];
  const log = logger.child('infrastructure');
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (error) {
        log.warn('error while closing', { error });
      }
    }
  };
  try {
    let database: PostgresDatabase | null = null;
    if (config.adapters.database !== 'memory') {
      let connect: EmbeddedPostgres['connect'] | undefined;
      let writeGeneration: EmbeddedPostgres['writeGeneration'] | undefined;
      if (config.adapters.database === 'embedded') {
        const dataDir = resolve(config.dataDir, 'db');
        const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, seed: options.fromTemplate === false ? undefined : embeddedSeed(config, log) }).catch((error: unknown) => {
          throw dataDirStartupError(error, dataDir);
        });
        closers.push(() => embedded.stop());
        connect = embedded.connect;
        writeGeneration = embedded.writeGeneration;
        log.info(`embedded PostgreSQL (PGlite) in ${dataDir}, in process`);
      }
      const db = connect
        ? openPostgres({ connect, writeGeneration, poolMax: 8 })
        : openPostgres({ url: config.databaseUrl!, poolMax: 10, logSql: undefined });
      closers.push(() => closeDatabase(db));
      try {
        await pingDatabase(db);
      } catch (error) {
        throw config.adapters.database === 'postgres' ? databaseStartupError(error, config.databaseUrl!) : error;
      }
      if (options.migrate) {
        const applied = await migrateUp(db.sequelize, { info: (m) => log.debug(`migration: ${m}`) });
        if (applied.length > 0) log.info(`applied ${applied.length} migration(s): ${applied.join(', ')}`);
      } else if (options.requireCurrentSchema ?? true) {
        // Production never serves on a stale schema: the code would answer 500s on missing tables.
        const pending = await pendingMigrations(db.sequelize);
        if (pending.length > 0) {
          throw new StartupError(
            'DATABASE_URL',
            `the schema of ${connect ? 'the embedded database' : describeDatabaseUrl(config.databaseUrl!)} is behind this version: ${pending.length} migration(s) pending (${pending.join(', ')})`,
            'run `npm run migrate` with the same configuration, then start again',
          );
        }
      }
      readiness.push({
        name: 'database',
        check: async () => {
          await pingDatabase(db);
          return { schema_version: await schemaVersion(db.sequelize) };
        },
      });
      database = db;
    }
    let redis: RedisClient | null = null;
    if (config.redisUrl && (config.adapters.sessions === 'redis' || config.adapters.rateLimits === 'redis')) {
      // Loaded only when selected: the embedded profile never pays for the Redis client.
      const { closeRedis, openRedis, pingRedis } = await import('../adapters/redis/redis-client.js');
      let lastError = '';
      const client = await openRedis(config.redisUrl, (error) => {
        // node-redis reports every failed reconnect; log each distinct failure once.
        if (error.message !== lastError) log.warn(`redis: ${error.message}`);
        lastError = error.message;
      }, { connectTimeoutMs: config.redisConnectTimeoutMs });
      closers.push(() => closeRedis(client));
      readiness.push({ name: 'redis', check: () => pingRedis(client) });
      redis = client;
    }
    const jwtSecret = resolveJwtSecret(config);
    return {
      database,
      redis,
      jwtSecret,
      readiness,
      maintenance: [],
      onClose: (closer) => closers.push(closer),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};

export const dataPath = (config: Config, ...parts: string[]): string => join(resolve(config.dataDir), ...parts);
