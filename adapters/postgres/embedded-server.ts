import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { PgliteSession, startupPacket } from './pglite-driver.js';
import { PgliteEngine } from './pglite-engine.js';

/**
 * The embedded default: PGlite (Postgres compiled to WebAssembly) persisted on disk, in this
 * process, on a worker thread of its own (pglite-engine.ts) so that its work does not block the
 * event loop. The very same Sequelize + pg adapter talks to it through in-process connections
 * (`connect`, given to pg as its `stream`; see pglite-driver.ts): no port, no socket, nothing
 * another process can reach. PGlite runs one transaction at a time: a query from another
 * connection waits until the open transaction ends.
 */
export interface EmbeddedPostgres {
  /** A new in-process connection, for `openPostgres({ connect })`. */
  readonly connect: () => Duplex;
  /** Changes whenever a statement that may have changed data completes (PgliteSession.writeGeneration). */
  readonly writeGeneration: () => number;
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
export const EMBEDDED_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: '16MB', maintenance_work_mem: '16MB' };

export const startEmbeddedPostgres = async (options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> => {
  let release = (): void => undefined;
  if (options.dataDir) {
    // Private: PGlite writes its files readable and writable by all (0666), so this directory is
    // what keeps other local users away from password and token hashes.
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    release = acquireLock(options.dataDir, join(options.dataDir, 'pgdata.lock'));
  }
  try {
    if (options.dataDir && options.seed) await options.seed(join(options.dataDir, 'pgdata'));
    // The worker loads pg_trgm (case-insensitive "contains" searches on records' `q`, with a GIN
    // index, as on a server) and btree_gist (exclusion constraints mixing equality with ranges).
    const settings = { ...EMBEDDED_SETTINGS, ...options.settings };
    const engine = await PgliteEngine.start({
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'pgdata') } : {}),
      settings: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      startupPacket: startupPacket(),
      ...(options.loadDataDir ? { loadDataDir: await options.loadDataDir.arrayBuffer() } : {}),
    });
    let session: PgliteSession;
    try {
      session = PgliteSession.open(engine, { lockTimeoutMs: options.lockTimeoutMs });
    } catch (error) {
      await engine.close();
      throw error;
    }
    return {
      connect: () => session.connect(),
      writeGeneration: () => session.writeGeneration,
      dumpDataDir: () => engine.dump(),
      async stop() {
        session.close();
        try {
          await engine.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
};
