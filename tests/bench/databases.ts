import { closeDatabase, openPostgres } from '../../adapters/postgres/database.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { createServerDatabase, openPglite, type TestDatabase } from '../support/databases.js';

export interface BenchDatabase extends TestDatabase {
  readonly label: string;
}

const withoutPassword = (url: URL): string => `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}`;

/**
 * tests/support/databases.ts's openPostgres without mocha: a fresh, migrated database on the
 * server BENCH_DATABASE_URL names, dropped on close. The variable is an explicit request, so an
 * unreachable server fails the run instead of being skipped.
 */
const openServerDatabase = async (serverUrl: string): Promise<BenchDatabase> => {
  const server = await createServerDatabase(serverUrl, 'portside_bench');
  const url = new URL(server.url);
  const db = openPostgres({ url: server.url, poolMax: 8 });
  const drop = () => server.drop();
  try {
    await migrateUp(db.sequelize);
  } catch (error) {
    await closeDatabase(db);
    await drop();
    throw error;
  }
  return {
    kind: 'postgres',
    label: `PostgreSQL at ${withoutPassword(url)}`,
    db,
    async close() {
      await closeDatabase(db);
      await drop();
    },
  };
};

/** The databases to measure: embedded PGlite always, a real server when BENCH_DATABASE_URL is set. */
export const benchDatabases = (): (() => Promise<BenchDatabase>)[] => {
  const openers: (() => Promise<BenchDatabase>)[] = [async () => ({ ...(await openPglite()), label: 'PGlite (embedded)' })];
  const serverUrl = process.env['BENCH_DATABASE_URL'];
  if (serverUrl) openers.push(() => openServerDatabase(serverUrl));
  return openers;
};

/** Prints `title`, then what `measure` reports for each database to measure, closing each after. */
export const measureEachDatabase = async (title: string, measure: (db: BenchDatabase) => Promise<string>): Promise<void> => {
  console.log(title);
  for (const open of benchDatabases()) {
    const db = await open();
    try {
      console.log(await measure(db));
    } finally {
      await db.close();
    }
  }
};
