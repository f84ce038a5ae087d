import type { Duplex } from 'node:stream';
import { ConnectionError, Sequelize, TimeoutError, type Transaction } from 'sequelize';
import pg from 'pg';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';
import { defineModels, type Models } from './models/index.js';

/** One Sequelize connection pool and the models defined on it. Repositories take this. */
export interface PostgresDatabase {
  readonly sequelize: Sequelize;
  readonly models: Models;
  /** Set only when this process is the database's one writer (the embedded engine): see SingleWriterCache. */
  readonly writeGeneration?: () => number;
}

export interface PostgresOptions {
  /** The server to connect to (ignored with `connect`). */
  readonly url?: string;
  /** In-process connections instead of a server (the embedded engine's `connect`). */
  readonly connect?: () => Duplex;
  readonly poolMax?: number;
  /** Called with each SQL statement when set (debug logging). */
  readonly logSql?: (sql: string) => void;
  readonly connectTimeoutMs?: number;
  /** With `connect` to the embedded engine: its write generation (EmbeddedPostgres.writeGeneration). */
  readonly writeGeneration?: () => number;
}

// TIMESTAMPTZ and BIGINT come back as Date and string from pg; counts we parse where we read them.
export const openPostgres = (options: PostgresOptions): PostgresDatabase => {
  if (!options.url && !options.connect) throw new Error('openPostgres needs a url or connect');
  // With `connect`, pg still speaks the protocol and parses every reply, over an in-process stream.
  const sequelize = new Sequelize(options.connect ? 'postgres://postgres@localhost/postgres' : options.url!, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: options.logSql ?? false,
    pool: { max: options.poolMax ?? 10, min: 0, acquire: 15_000, idle: 10_000 },
    dialectOptions: {
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      ...(options.connect ? { stream: options.connect } : {}),
    },
    define: { underscored: true, timestamps: false, freezeTableName: true },
  });
  return { sequelize, models: defineModels(sequelize), ...(options.writeGeneration ? { writeGeneration: options.writeGeneration } : {}) };
};

// 55P03: the embedded engine's wait for another connection's transaction ran out (pglite-driver.ts).
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P03', '55P03']);

// Sequelize's words for a pool closed by shutdown: a request still running then gets a 503.
const POOL_CLOSED = /connection manager was closed/;

const isOutage = (error: unknown): boolean => {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  if (error instanceof Error && POOL_CLOSED.test(error.message)) return true;
  const e = error as { code?: string; parent?: { code?: string }; original?: { code?: string } } | null;
  const code = e?.code ?? e?.parent?.code ?? e?.original?.code;
  return code !== undefined && OUTAGE_CODES.has(code);
};

/** Turns "cannot reach the database" into the core's outage error; anything else passes through. */
export const mapDatabaseError = (error: unknown): unknown =>
  isOutage(error) ? new DependencyUnavailableError('database', { cause: error }) : error;

/** Runs a database call, translating outages; repositories wrap their queries with it. */
export const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw mapDatabaseError(error);
  }
};

/** `{ transaction }` when one is given, for spreading into every query's options. */
export const inTx = (transaction: Transaction | undefined): { transaction?: Transaction } =>
  transaction ? { transaction } : {};

/** Postgres unique_violation, with the violated constraint's name. */
export const uniqueViolation = (error: unknown): string | null => {
  const e = error as { name?: string; parent?: { code?: string; constraint?: string } } | null;
  if (e?.name === 'SequelizeUniqueConstraintError' || e?.parent?.code === '23505') {
    return e?.parent?.constraint ?? '';
  }
  return null;
};

export const pingDatabase = async (db: PostgresDatabase): Promise<void> => {
  await guarded(() => db.sequelize.query('SELECT 1'));
};

export const closeDatabase = async (db: PostgresDatabase): Promise<void> => {
  await db.sequelize.close();
};
