import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PgliteSession } from './pglite-driver.js';

/**
 * The embedded default: PGlite (Postgres compiled to WebAssembly) persisted on disk, in this
 * process. The very same Sequelize + pg adapter talks to it through in-process connections
 * (`connect`, given to pg as its `stream`; see pglite-driver.ts): no port, no socket, nothing
 * another process can reach. PGlite runs one transaction at a time: a query from another
 * connection waits until the open transaction ends.
 */
export interface EmbeddedPostgres {
  /** A new in-process connection, for `openPostgres({ connect })`. */
  readonly connect: () => Duplex;
  /** A tar of the data directory, for `loadDataDir` of another instance (tests start from a migrated copy). */
  dumpDataDir(): Promise<Blob>;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseInUseError extends Error {
  override readonly name = 'EmbeddedDatabaseInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid}. ` +
        'It belongs to one process at a time: stop the server (or that process) and run the command again, ' +
        'or point DATABASE_URL at a PostgreSQL server to share one database between processes.',
    );
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes `<dir>.lock` for this process; a lock left by a dead process is taken over. */
const acquireLock = (dataDir: string, lockPath: string): (() => void) => {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new EmbeddedDatabaseInUseError(dataDir, pid);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock ${lockPath}`);
};

export interface EmbeddedOptions {
  /** Directory for the database files; omit for a throwaway in-memory database (tests). */
  readonly dataDir?: string;
  /** How long a statement waits for another connection's transaction before failing (55P03). */
  readonly lockTimeoutMs?: number;
  /** Extra `-c name=value` server settings, over EMBEDDED_SETTINGS. */
  readonly settings?: Readonly<Record<string, string>>;
  /** In-memory only: start from this dump (`dumpDataDir`) instead of an empty cluster, skipping initdb. */
  readonly loadDataDir?: Blob;
  /**
   * With `dataDir`: called under the data-dir lock before the cluster opens, with the path of
   * `<dataDir>/pgdata`; it may fill an empty one (embedded-template.ts copies a migrated template).
   */
  readonly seed?: (pgdataDir: string) => Promise<void>;
}

/**
 * PGlite's memory lives in its WebAssembly heap, which grows but never shrinks, so Postgres's
 * server defaults (128 MB of shared buffers, 64 MB for maintenance such as CREATE INDEX) become
 * resident for the life of the process. An embedded database serving one process needs far less:
 * these cut the server's RSS by about 130 MB (docs/performance.md). Pages that do not fit in the
 * buffers are read again through the operating system's file cache.
 */
/**
 * pg_trgm backs case-insensitive "contains" searches (records' `q`) with a GIN index, as on a server;
 * btree_gist lets exclusion constraints mix equality with ranges (scheduling). Their names are part
 * of the migrated template's key (embedded-template.ts).
 */
export const EMBEDDED_EXTENSIONS = { pg_trgm, btree_gist };

export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: '16MB', maintenance_work_mem: '16MB' };

export const startEmbeddedPostgres = async (options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> => {
  let release = (): void => undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    release = acquireLock(options.dataDir, join(options.dataDir, 'pgdata.lock'));
  }
  try {
    if (options.dataDir && options.seed) await options.seed(join(options.dataDir, 'pgdata'));
    const extensions = EMBEDDED_EXTENSIONS;
    const settings = { ...EMBEDDED_SETTINGS, ...options.settings };
    const startParams = [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const db = options.dataDir
      ? await PGlite.create(join(options.dataDir, 'pgdata'), { extensions, startParams })
      : await PGlite.create({ extensions, startParams, ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}) });
    let session: PgliteSession;
    try {
      session = await PgliteSession.open(db, { lockTimeoutMs: options.lockTimeoutMs });
    } catch (error) {
      await db.close();
      throw error;
    }
    return {
      connect: () => session.connect(),
      dumpDataDir: () => db.dumpDataDir('none'),
      async stop() {
        session.close();
        await db.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
};
