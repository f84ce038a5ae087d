import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { createLogger } from '../bootstrap.js';
import { exportArchive, NothingToExportError } from '../archive/export-archive.js';
import { ArchiveError } from '../archive/format.js';
import { importArchive, TargetNotEmptyError, TargetRefusedError } from '../archive/import-archive.js';
import { consoleProgress } from '../archive/progress.js';
import { narrowForCommand } from '../cli-scope.js';
import { decodeConfig, type Config } from '../config.js';
import { startInfrastructure, type Infrastructure } from '../infrastructure.js';
import { openObjectStorage } from '../modules/files.js';
import type { ObjectStorage } from '../../core/files/ports/object-storage.js';
import type { PostgresDatabase } from '../../adapters/postgres/database.js';

/**
 * `export` and `import` (docs/operations.md): they open the database and the object store of the
 * configured profile and nothing else, and never migrate on opening (import chooses the schema
 * version itself; export writes the version it finds). Neither builds the application container.
 */

type Env = Readonly<Record<string, string | undefined>>;
type Values = Record<string, string | boolean | undefined>;

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const bytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;

interface Opened {
  readonly config: Config;
  /** The configuration as decoded, before the command narrowed it (where sessions really live). */
  readonly full: Config;
  readonly database: PostgresDatabase;
  readonly storage: ObjectStorage;
  readonly infra: Infrastructure;
}

const describe = (config: Config): string => {
  const database = config.adapters.database === 'embedded' ? `the embedded database in ${resolve(config.dataDir, 'db')}` : 'PostgreSQL (DATABASE_URL)';
  const objects = config.adapters.objects === 'local-disk' ? `local disk under ${resolve(config.dataDir, 'objects')}` : config.adapters.objects === 'minio' ? `S3 bucket ${config.s3?.bucket}` : 'memory';
  return `${database}, objects on ${objects}`;
};

/** Opens the profile's database and object store, or returns a refusal to print. */
const open = async (env: Env): Promise<Opened | string> => {
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  const full = decoded.right;
  if (full.adapters.database === 'memory') {
    return 'The memory profile keeps nothing once it stops: export and import need a database (the embedded default, or DATABASE_URL).';
  }
  const narrowed = narrowForCommand(full, { usesObjectStorage: true, usesSessions: false });
  // The progress and the summary are the output; the logger speaks only of problems unless asked.
  const config: Config = { ...narrowed, log: { ...narrowed.log, level: env['LOG_LEVEL'] ? narrowed.log.level : 'warn' } };
  const logger = createLogger(config);
  // No template for a new embedded target: the import migrates it up to the archive's version.
  const infra = await startInfrastructure(config, logger, { migrate: false, requireCurrentSchema: false, fromTemplate: false });
  try {
    const storage = await openObjectStorage({ config, infra, logger });
    return { config, full, database: infra.database!, storage, infra };
  } catch (error) {
    await infra.close();
    throw error;
  }
};

/** Known refusals print their message alone; anything else goes to the CLI's failure handler. */
const refusal = (error: unknown): string | null =>
  error instanceof ArchiveError || error instanceof TargetNotEmptyError || error instanceof TargetRefusedError || error instanceof NothingToExportError
    ? error.message
    : null;

/**
 * Opens the profile the environment names, runs `work`, and closes it: a configuration problem is
 * a usage error, a known refusal one line (`failure(message)`), anything else the CLI's failure.
 */
const withArchiveTarget = async (
  env: Env,
  failure: (message: string) => string,
  work: (opened: Exclude<Awaited<ReturnType<typeof open>>, string>) => Promise<void>,
): Promise<number> => {
  const opened = await open(env);
  if (typeof opened === 'string') {
    console.error(opened);
    return EXIT.usage;
  }
  try {
    await work(opened);
    return EXIT.ok;
  } catch (error) {
    const message = refusal(error);
    if (message === null) throw error;
    console.error(failure(message));
    return EXIT.failed;
  } finally {
    await opened.infra.close();
  }
};

/** The summary's table of rows per table and the objects. */
const countLines = (summary: { readonly tables: readonly { name: string; rows: number }[]; readonly objects: number; readonly objectBytes: number }): string[] => [
  ...summary.tables.map((t) => `  ${t.name.padEnd(22)} ${String(t.rows).padStart(9)} rows`),
  `  ${'objects'.padEnd(22)} ${String(summary.objects).padStart(9)} (${bytes(summary.objectBytes)})`,
];

export const exportCommand = {
  summary: 'Write a consistent snapshot of the database and every stored file into one archive (.tar.gz)',
  usage: 'export --out FILE',
  options: { out: { type: 'string' as const } },
  check: (values: Values) => (typeof values['out'] !== 'string' || values['out'] === '' ? 'export needs --out FILE (the archive to write)' : null),
  help: { options: { '--out FILE': 'the archive to write (must not exist yet)' }, examples: ['npm run cli -- export --out backup-$(date +%F).tar.gz'] },
  details: [
    'Reads every table in one read-only REPEATABLE READ transaction (a consistent snapshot, even beside',
    'a running server on PostgreSQL) and every object of the configured object store, and writes them',
    'with a manifest (schema version, rows and SHA-256 per table, SHA-256 of every object) into FILE.',
    'On the embedded default, stop the server first: it holds the database while it runs.',
    'FILE must not exist yet; it appears only once complete.',
  ],
  async standalone(env: Env, values: Values): Promise<number> {
    const out = resolve(String(values['out']));
    if (existsSync(out)) {
      console.error(`Export refused: ${out} already exists; choose another name or remove it first.`);
      return EXIT.failed;
    }
    return withArchiveTarget(env, (message) => `Export failed: ${message}`, async ({ config, full, database, storage }) => {
      console.error(`Exporting ${describe(config)} to ${out}`);
      const started = Date.now();
      const summary = await exportArchive({
        database,
        storage,
        out,
        source: { database: config.adapters.database, objects: config.adapters.objects },
        progress: consoleProgress(),
      });
      const rows = summary.tables.reduce((n, t) => n + t.rows, 0);
      console.log(
        [
          `Exported to ${out} (${bytes(statSync(out).size)}) in ${((Date.now() - started) / 1000).toFixed(1)} s: schema ${summary.schemaVersion}`,
          ...countLines(summary),
          `  ${rows} rows and ${summary.objects} objects in all; checksums in the archive's manifest.json`,
          ...(summary.vanished > 0 ? [`  ${summary.vanished} object(s) were deleted while the export ran and are not in it`] : []),
          ...(full.adapters.sessions === 'redis'
            ? ['Note: this profile keeps sessions in Redis, which the archive does not hold: after an import, users log in again.']
            : []),
        ].join('\n'),
      );
    });
  },
};

export const importCommand = {
  summary: 'Load an archive written by export into this profile (which must be empty, unless --force)',
  usage: 'import --in FILE [--force]',
  options: { in: { type: 'string' as const }, force: { type: 'boolean' as const } },
  check: (values: Values) => (typeof values['in'] !== 'string' || values['in'] === '' ? 'import needs --in FILE (an archive written by export)' : null),
  help: {
    options: { '--in FILE': 'an archive written by export', '--force': 'replace the data of a target that holds some' },
    examples: ['DATABASE_URL=postgres://... npm run cli -- import --in backup.tar.gz'],
  },
  details: [
    'Checks the whole archive against its manifest first (nothing is touched when it is damaged,',
    'truncated or does not match), refuses a target that holds data, brings the schema to the',
    "archive's version, loads every table in one transaction, puts every object through the",
    'configured object store, compares the counts and checksums with the manifest, commits, and',
    "migrates forward to this version's schema. An archive from a newer version is refused.",
    '--force empties its tables in the same transaction; objects already in its store stay until',
    '`maintenance` sweeps the orphans.',
    'On the embedded default, stop the server first: it holds the database while it runs.',
  ],
  async standalone(env: Env, values: Values): Promise<number> {
    const file = resolve(String(values['in']));
    if (!existsSync(file)) {
      console.error(`Import refused: ${file} does not exist.`);
      return EXIT.failed;
    }
    const refused = (message: string) => `Import refused: ${message}\nThe target was not changed.`;
    return withArchiveTarget(env, refused, async ({ config, full, database, storage }) => {
      console.error(`Importing ${file} into ${describe(config)}`);
      const started = Date.now();
      const summary = await importArchive({ database, storage, file, force: values['force'] === true, progress: consoleProgress() });
      const rows = summary.tables.reduce((n, t) => n + t.rows, 0);
      const sessions = summary.tables.find((t) => t.name === 'refresh_sessions')?.rows ?? 0;
      console.log(
        [
          `Imported ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s${summary.replaced ? ' (replacing the data the target held)' : ''}: archive schema ${summary.archiveSchemaVersion}`,
          ...countLines(summary),
          `  ${rows} rows and ${summary.objects} objects, counts and SHA-256 checked against the manifest`,
          summary.migratedForward.length > 0 ? `  migrated forward: ${summary.migratedForward.join(', ')}` : '  schema: current, nothing to migrate',
          ...(full.adapters.sessions === 'redis' && sessions > 0
            ? [`Note: this profile keeps sessions in Redis (SESSION_STORE=redis): the archive's ${sessions} session(s) were loaded into the database but are not used there; users log in again.`]
            : []),
        ].join('\n'),
      );
    });
  },
};
