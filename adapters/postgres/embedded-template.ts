import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openPostgres } from './database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-server.js';
import { migrateUp, migrations } from './migrations/index.js';

/**
 * A migrated embedded cluster, prepared once and copied into every empty data directory: a new
 * DATA_DIR then starts like an existing one instead of running initdb (seconds of single-user
 * Postgres in WebAssembly) and every migration. docs/decisions.md says why a directory and not a dump.
 *
 * Layout: `<cacheDir>/<key>/pgdata` (a cleanly shut down cluster) and `<key>/template.json` (what the
 * key was made of). The key changes with PGlite's version, the extension set (the engine's worker)
 * and the migration files' contents, so a stale template is never used: a new key is built instead.
 */

/** Bump when the way a template is built changes, so old ones are not reused. */
const TEMPLATE_FORMAT = 2;
const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** The engine's worker: it loads the extensions and starts PGlite (pglite-engine.ts). */
const ENGINE_WORKER = fileURLToPath(new URL('./pglite-worker.mjs', import.meta.url));

/** Applies every pending migration to an embedded engine through a pool of its own, closed after. */
export const migrateEmbedded = async (embedded: EmbeddedPostgres): Promise<void> => {
  const db = openPostgres({ connect: embedded.connect, poolMax: 2 });
  try {
    await migrateUp(db.sequelize);
  } finally {
    await closeDatabase(db);
  }
};

/** Sets every directory under `root` (itself included) to `dirMode` and every file to `fileMode`. */
const setModes = (root: string, dirMode: number, fileMode: number): void => {
  chmodSync(root, dirMode);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) setModes(path, dirMode, fileMode);
    else if (entry.isFile()) chmodSync(path, fileMode);
  }
};

export interface TemplateLog {
  info(message: string): void;
  warn(message: string): void;
}

const upTo = (start: string, found: (dir: string) => boolean): string => {
  for (let dir = start; ; dir = dirname(dir)) {
    if (found(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
};

/** `node_modules/.cache/portside` of the project this module belongs to (not of the working directory). */
export const defaultTemplateCacheDir = (): string =>
  join(upTo(dirname(fileURLToPath(import.meta.url)), (dir) => existsSync(join(dir, 'package.json'))), 'node_modules', '.cache', 'portside');

const pgliteVersion = (): string => {
  const root = upTo(dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite'))), (dir) => {
    const file = join(dir, 'package.json');
    return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === '@electric-sql/pglite';
  });
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
};

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const keyInputs = (migrationsDir: string) => {
  const worker = readFileSync(ENGINE_WORKER, 'utf8');
  return {
    format: TEMPLATE_FORMAT,
    pglite: pgliteVersion(),
    // The extensions the worker imports, and the worker itself (how PGlite is started).
    extensions: [...new Set([...worker.matchAll(/@electric-sql\/pglite\/contrib\/([\w-]+)/g)].map((m) => m[1]!))].sort(),
    engine: sha256(worker),
    migrations: migrations.map((m) => m.name),
    files: readdirSync(migrationsDir)
      .filter((name) => statSync(join(migrationsDir, name)).isFile())
      .sort()
      .map((name) => [name, sha256(readFileSync(join(migrationsDir, name)))]),
  };
};

/**
 * `pglite-<version>-<hash>`: the hash covers the extension set and the engine's worker file, the
 * migrations' names and every file of the migrations directory, byte for byte. `migrationsDir` is
 * for tests.
 */
export const templateKey = (migrationsDir: string = MIGRATIONS_DIR): string => {
  const inputs = keyInputs(migrationsDir);
  return `pglite-${inputs.pglite}-${sha256(JSON.stringify(inputs)).slice(0, 16)}`;
};

/** pg_control's `state` (after system identifier, control and catalog versions) is 1 (DB_SHUTDOWNED) after a clean shutdown. */
const assertShutDownCleanly = (pgdata: string): void => {
  const state = readFileSync(join(pgdata, 'global', 'pg_control')).readInt32LE(16);
  if (state !== 1) throw new Error(`the template cluster was not shut down cleanly (pg_control state ${state})`);
};

const complete = (dir: string): boolean => existsSync(join(dir, 'template.json')) && existsSync(join(dir, 'pgdata', 'PG_VERSION'));

/** Templates of other keys (older migrations or PGlite) and build directories a crash left over an hour ago. */
const pruneStale = (cacheDir: string, key: string): void => {
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    const leftover = name.startsWith('.tmp-') && Date.now() - statSync(path).mtimeMs > 3_600_000;
    if (leftover || (name.startsWith('pglite-') && name !== key)) rmSync(path, { recursive: true, force: true });
  }
};

/**
 * The template for the current key under `cacheDir`, built when missing: initdb and every migration
 * in a temporary directory beside it, a clean shutdown, then one rename. Processes building at the
 * same time each build their own; the first rename wins and the others discard theirs.
 */
export const prepareEmbeddedTemplate = async (cacheDir: string, log?: TemplateLog): Promise<{ dir: string; built: boolean }> => {
  const key = templateKey();
  const dir = join(cacheDir, key);
  if (complete(dir)) return { dir, built: false };
  log?.info(`preparing the migrated embedded database template in ${dir} (once: later empty data directories copy it)`);
  mkdirSync(cacheDir, { recursive: true });
  const build = mkdtempSync(join(cacheDir, `.tmp-${key}-`));
  try {
    // mkdtemp makes it private: a template built by root (a Docker build) must be readable by the app's user.
    chmodSync(build, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: build });
    try {
      await migrateEmbedded(embedded);
    } finally {
      await embedded.stop();
    }
    assertShutDownCleanly(join(build, 'pgdata'));
    // Postgres writes some files 0600: readable by all, so a template built by root (a Docker build)
    // serves the unprivileged user the server runs as. It holds an empty schema, no data or secret.
    setModes(build, 0o755, 0o644);
    writeFileSync(join(build, 'template.json'), `${JSON.stringify({ key, ...keyInputs(MIGRATIONS_DIR), created: new Date().toISOString() }, null, 2)}\n`);
    try {
      renameSync(build, dir);
    } catch (error) {
      // Another process renamed its build first (ENOTEMPTY/EEXIST, EPERM on Windows): use that one.
      if (!complete(dir)) throw error;
      return { dir, built: false };
    }
    try {
      pruneStale(cacheDir, key);
    } catch {
      // Old templates only take space.
    }
    return { dir, built: true };
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
};

const reason = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * The `seed` of startEmbeddedPostgres: an absent or empty `pgdata` becomes a copy of the template
 * (built first when missing). The copy goes to a directory beside it, renamed into place when
 * complete, so a crash never leaves a half-copied cluster. Any failure (cache not writable, build
 * or copy failing) logs one line and leaves `pgdata` as it was: PGlite then runs initdb in place.
 */
export const seedFromTemplate =
  (cacheDir: string, log: TemplateLog) =>
  async (pgdata: string): Promise<void> => {
    let absent: boolean;
    try {
      absent = !existsSync(pgdata) || readdirSync(pgdata).length === 0;
    } catch {
      absent = false; // Not a directory we can list: left to PGlite, as without a template.
    }
    if (!absent) return;
    const staging = `${pgdata}.template-copy`;
    try {
      const { dir } = await prepareEmbeddedTemplate(cacheDir, log);
      rmSync(staging, { recursive: true, force: true });
      cpSync(join(dir, 'pgdata'), staging, { recursive: true });
      // The copy is a live database: the owner's alone, as Postgres keeps its data directory.
      setModes(staging, 0o700, 0o600);
      rmSync(pgdata, { recursive: true, force: true });
      renameSync(staging, pgdata);
      log.info(`embedded database created from the migrated template ${dir}`);
    } catch (error) {
      try {
        rmSync(staging, { recursive: true, force: true });
      } catch {
        // Left for the next start, which removes it first.
      }
      log.warn(`embedded database template not used (${reason(error)}): initializing the database in place (initdb takes a few seconds)`);
    }
  };
