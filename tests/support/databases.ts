import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createClient } from 'redis';
import { closeDatabase, openPostgres as openPostgresAdapter, type PostgresDatabase } from '../../adapters/postgres/database.js';
import { startEmbeddedPostgres } from '../../adapters/postgres/embedded-server.js';
import { migrateEmbedded } from '../../adapters/postgres/embedded-template.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { POSTGRES_URL, REDIS_URL, requireService } from './services.js';

export interface TestDatabase {
  readonly kind: 'pglite' | 'postgres';
  readonly db: PostgresDatabase;
  close(): Promise<void>;
}

let template: Promise<Blob> | null = null;

/**
 * One migrated cluster per test process, dumped once: every later openPglite loads the dump
 * instead of running initdb and every migration again (initdb is most of what opening costs).
 */
const migratedTemplate = (): Promise<Blob> =>
  (template ??= (async () => {
    const embedded = await startEmbeddedPostgres();
    try {
      await migrateEmbedded(embedded);
      return await embedded.dumpDataDir();
    } finally {
      await embedded.stop();
    }
  })().catch((error: unknown) => {
    template = null;
    throw error;
  }));

/** A fresh, migrated, in-memory PGlite through the in-process driver: no services needed. */
export const openPglite = async (): Promise<TestDatabase> => {
  const embedded = await startEmbeddedPostgres({ loadDataDir: await migratedTemplate() });
  // With the write generation, as composition/infrastructure.ts wires the embedded engine.
  const db = openPostgresAdapter({ connect: embedded.connect, writeGeneration: embedded.writeGeneration, poolMax: 8 });
  // Nothing to apply (the template is migrated); checks that the copy is at the latest version.
  await migrateUp(db.sequelize);
  return {
    kind: 'pglite',
    db,
    async close() {
      await closeDatabase(db);
      await embedded.stop();
    },
  };
};

/** An empty database of its own on the server at `serverUrl`: its URL, and a drop that ends it. */
export const createServerDatabase = async (serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> => {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
};

/** A fresh, migrated database on the real server, dropped on close. Gated by requireService. */
export const openPostgres = async (ctx: Mocha.Context): Promise<TestDatabase> => {
  await requireService(ctx, 'PostgreSQL', POSTGRES_URL);
  const server = await createServerDatabase(POSTGRES_URL, 'portside_t');
  const db = openPostgresAdapter({ url: server.url, poolMax: 8 });
  await migrateUp(db.sequelize);
  return {
    kind: 'postgres',
    db,
    async close() {
      await closeDatabase(db);
      await server.drop();
    },
  };
};

const connectRedis = (url: string) => createClient({ url });
export type TestRedisClient = ReturnType<typeof connectRedis>;

export interface TestRedis {
  readonly client: TestRedisClient;
  /** A key prefix unique to this test run; everything under it is deleted on close. */
  readonly prefix: string;
  close(): Promise<void>;
}

export const openRedis = async (ctx: Mocha.Context): Promise<TestRedis> => {
  await requireService(ctx, 'Redis', REDIS_URL);
  const client = connectRedis(REDIS_URL);
  await client.connect();
  const prefix = `portside-test:${randomBytes(6).toString('hex')}:`;
  return {
    client,
    prefix,
    async close() {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
        if (keys.length > 0) await client.del(keys);
      }
      client.destroy();
    },
  };
};
