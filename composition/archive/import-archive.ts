import { createHash, type Hash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { ObjectStorage } from '../../core/files/ports/object-storage.js';
import type { PostgresDatabase } from '../../adapters/postgres/database.js';
import { migrations, migrateTo, migrateUp, schemaVersion } from '../../adapters/postgres/migrations/index.js';
import { countRows, hasRows, insertRows, listTables, resetSequences, truncateTables, type TableInfo } from '../../adapters/postgres/table-transfer.js';
import {
  ArchiveError,
  CHUNK_ROWS,
  decodeHeader,
  decodeManifest,
  HEADER_ENTRY,
  MANIFEST_ENTRY,
  ndjsonLines,
  readAll,
  readArchive,
  tableOfEntry,
  type Manifest,
  type ManifestTable,
} from './format.js';
import { silentProgress, type Progress } from './progress.js';

/** The target holds data and `--force` was not given (or cannot apply). Nothing was changed. */
export class TargetNotEmptyError extends Error {
  override readonly name = 'TargetNotEmptyError';
}

/** The target cannot take this archive (its schema is newer than this code knows). Nothing was changed. */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
}

export interface ImportOptions {
  readonly database: PostgresDatabase;
  readonly storage: ObjectStorage;
  readonly file: string;
  /** Replace a target that holds data (its tables are emptied in the load transaction). */
  readonly force?: boolean;
  readonly progress?: Progress;
}

export interface ImportSummary {
  readonly archiveSchemaVersion: string;
  /** Migrations applied after loading, to bring the archive's schema up to this version's. */
  readonly migratedForward: readonly string[];
  readonly tables: readonly ManifestTable[];
  readonly objects: number;
  readonly objectBytes: number;
  /** Whether a target holding data was replaced (`--force`). */
  readonly replaced: boolean;
  readonly sequencesReset: number;
}

const KNOWN = migrations.map((m) => m.name);
const OBJECT_ENTRY = /^objects\/\d{6}$/;
const EVERYTHING = 24 * 60 * 60_000;

const checkSchemaKnown = (version: string): void => {
  if (!KNOWN.includes(version)) {
    throw new ArchiveError(
      `the archive was exported at schema version ${version}, which this version of Portside does not know (it knows up to ${KNOWN[KNOWN.length - 1]}): ` +
        'import it with the same or a newer version of Portside',
    );
  }
};

async function* hashing(body: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
}

const countLines = (chunk: Buffer): number => {
  let n = 0;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n += 1;
  return n;
};

/**
 * Reads the whole archive once without touching anything and checks it against its manifest:
 * the header first, every table's rows and SHA-256, every object's size and SHA-256, nothing
 * missing and nothing extra, the manifest last. Returns the manifest; throws ArchiveError.
 */
export const verifyArchive = async (file: string, progress: Progress = silentProgress): Promise<Manifest> => {
  const tables = new Map<string, { rows: number; chunks: number; hash: Hash }>();
  const objects = new Map<string, { size: number; sha256: string }>();
  let header: ReturnType<typeof decodeHeader> | null = null;
  let manifest: Manifest | null = null;
  progress.line(`Checking ${file} ...`);
  for await (const entry of readArchive(file)) {
    if (manifest) throw new ArchiveError(`${file} has an unexpected entry after its manifest (${entry.name})`);
    if (!header) {
      if (entry.name !== HEADER_ENTRY) throw new ArchiveError(`${file} is not a Portside archive (it does not start with ${HEADER_ENTRY})`);
      header = decodeHeader(await readAll(entry, 1024 * 1024));
      checkSchemaKnown(header.schemaVersion);
      continue;
    }
    const table = tableOfEntry(entry.name);
    if (table !== null) {
      const stats = tables.get(table) ?? { rows: 0, chunks: 0, hash: createHash('sha256') };
      tables.set(table, stats);
      stats.chunks += 1;
      for await (const chunk of entry.body) {
        stats.hash.update(chunk);
        stats.rows += countLines(chunk);
      }
    } else if (OBJECT_ENTRY.test(entry.name)) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of entry.body) {
        hash.update(chunk);
        size += chunk.length;
      }
      objects.set(entry.name, { size, sha256: hash.digest('hex') });
    } else if (entry.name === MANIFEST_ENTRY) {
      manifest = decodeManifest(await readAll(entry));
    } else {
      throw new ArchiveError(`${file} has an entry a Portside archive does not hold (${entry.name})`);
    }
  }
  if (!header) throw new ArchiveError(`${file} is empty`);
  if (!manifest) throw new ArchiveError(`${file} is truncated: it ends before its manifest`);
  if (manifest.schemaVersion !== header.schemaVersion || manifest.formatVersion !== header.formatVersion) {
    throw new ArchiveError(`${file}: the manifest and the header disagree on the schema or format version`);
  }
  const mismatch = (what: string) => new ArchiveError(`${file} does not match its manifest: ${what}`);
  for (const expected of manifest.tables) {
    const seen = tables.get(expected.name);
    tables.delete(expected.name);
    const rows = seen?.rows ?? 0;
    const sha256 = (seen?.hash ?? createHash('sha256')).digest('hex');
    if (rows !== expected.rows) throw mismatch(`table ${expected.name} holds ${rows} rows, the manifest says ${expected.rows}`);
    if (sha256 !== expected.sha256) throw mismatch(`the SHA-256 of table ${expected.name} is ${sha256}, the manifest says ${expected.sha256}`);
  }
  if (tables.size > 0) throw mismatch(`table(s) ${[...tables.keys()].join(', ')} are not in the manifest`);
  if (manifest.objects.items.length !== manifest.objects.count) throw mismatch(`it lists ${manifest.objects.items.length} objects but counts ${manifest.objects.count}`);
  for (const item of manifest.objects.items) {
    const seen = objects.get(item.entry);
    objects.delete(item.entry);
    if (!seen) throw mismatch(`object ${item.key} (${item.entry}) is missing`);
    if (seen.size !== item.size) throw mismatch(`object ${item.key} has ${seen.size} bytes, the manifest says ${item.size}`);
    if (seen.sha256 !== item.sha256) throw mismatch(`the SHA-256 of object ${item.key} is ${seen.sha256}, the manifest says ${item.sha256}`);
  }
  if (objects.size > 0) throw mismatch(`${objects.size} object(s) are not in the manifest`);
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
  progress.line(`  archive checked: schema ${manifest.schemaVersion}, ${manifest.tables.length} tables (${rows} rows), ${manifest.objects.count} objects`);
  return manifest;
};

/** What the target holds already: tables with rows, and whether its object store has objects. */
export const describeTargetData = async (database: PostgresDatabase, storage: ObjectStorage): Promise<string[]> => {
  const held: string[] = [];
  if ((await schemaVersion(database.sequelize)) !== null) {
    await database.sequelize.transaction(async (transaction) => {
      for (const table of await listTables(database.sequelize, transaction)) {
        if (await hasRows(database.sequelize, transaction, table.name)) held.push(`table ${table.name}`);
      }
    });
  }
  for await (const object of storage.list('', new Date(Date.now() + EVERYTHING))) {
    void object;
    held.push('the object store');
    break;
  }
  return held;
};

/**
 * Loads a verified archive into the target: checks it is empty (or `force`), brings its schema to
 * the archive's version, loads every table in one transaction, puts every object through the
 * ObjectStorage port (checking each SHA-256 as it goes), checks the row counts against the
 * manifest, and only then commits; finally migrates forward to this version's schema. On any
 * failure before the commit the transaction rolls back and the objects it added are deleted.
 */
export const importArchive = async (options: ImportOptions): Promise<ImportSummary> => {
  const { database, storage, file } = options;
  const { sequelize } = database;
  const progress = options.progress ?? silentProgress;
  const manifest = await verifyArchive(file, progress);

  const current = await schemaVersion(sequelize);
  if (current !== null && !KNOWN.includes(current)) {
    throw new TargetRefusedError(`the target database is at schema version ${current}, newer than this version of Portside knows: use the version that wrote it`);
  }
  const held = await describeTargetData(database, storage);
  const replacing = held.length > 0;
  if (replacing && !options.force) {
    throw new TargetNotEmptyError(
      `the target already holds data (${held.join(', ')}). Import into an empty database and object store, ` +
        'or pass --force to replace its data with the archive\'s (everything in its tables is deleted).',
    );
  }
  if (replacing && current !== null && KNOWN.indexOf(current) > KNOWN.indexOf(manifest.schemaVersion)) {
    throw new TargetNotEmptyError(
      `the target holds data at schema ${current}, newer than the archive's ${manifest.schemaVersion}; --force cannot replace it: import into an empty database`,
    );
  }
  if (replacing) progress.line(`WARNING: --force: the target holds data (${held.join(', ')}); its tables are emptied and replaced by the archive's.`);

  await migrateTo(sequelize, manifest.schemaVersion);

  const added: string[] = [];
  const items = new Map(manifest.objects.items.map((item) => [item.entry, item]));
  const expected = new Map(manifest.tables.map((t) => [t.name, t]));
  let sequencesReset = 0;
  try {
    await sequelize.transaction(async (transaction) => {
      const tables = new Map<string, TableInfo>((await listTables(sequelize, transaction)).map((t) => [t.name, t]));
      for (const t of manifest.tables) {
        if (!tables.has(t.name)) throw new ArchiveError(`table ${t.name} of the archive does not exist at schema ${manifest.schemaVersion}`);
      }
      if (replacing) await truncateTables(sequelize, transaction, [...tables.keys()]);

      let loading = null as { table: TableInfo; hash: Hash; rows: number; batch: string[] } | null;
      const flush = async () => {
        if (!loading || loading.batch.length === 0) return;
        await insertRows(sequelize, transaction, loading.table, loading.batch);
        loading.rows += loading.batch.length;
        loading.batch = [];
        progress.update(loading.rows);
      };
      const finishTable = async () => {
        if (!loading) return;
        await flush();
        progress.stop();
        const sha256 = loading.hash.digest('hex');
        if (sha256 !== expected.get(loading.table.name)!.sha256) throw new ArchiveError(`table ${loading.table.name} changed while it was imported (SHA-256 mismatch)`);
        loading = null;
      };
      let objectsDone = 0;
      let objectsStarted = false;
      for await (const entry of readArchive(file)) {
        const name = tableOfEntry(entry.name);
        if (name !== null) {
          if (loading?.table.name !== name) {
            await finishTable();
            loading = { table: tables.get(name)!, hash: createHash('sha256'), rows: 0, batch: [] };
            progress.start(`table ${name}`, expected.get(name)!.rows, 'rows');
          }
          const target = loading!;
          for await (const line of ndjsonLines(hashing(entry.body, target.hash))) {
            target.batch.push(line);
            if (target.batch.length >= CHUNK_ROWS) await flush();
          }
        } else if (OBJECT_ENTRY.test(entry.name)) {
          await finishTable();
          if (!objectsStarted) {
            objectsStarted = true;
            progress.start('objects', manifest.objects.count, 'objects');
          }
          const item = items.get(entry.name)!;
          const existed = replacing && (await storage.stat(item.key)) !== null;
          const put = await storage.put(item.key, entry.body, { maxBytes: item.size, contentType: item.contentType });
          if (!existed) added.push(item.key);
          if (E.isLeft(put) || put.right.size !== item.size || put.right.sha256 !== item.sha256) {
            throw new ArchiveError(`object ${item.key} does not match its SHA-256 once stored`);
          }
          objectsDone += 1;
          progress.update(objectsDone);
        }
      }
      await finishTable();
      if (objectsStarted) progress.stop();
      for (const t of manifest.tables) {
        const rows = await countRows(sequelize, transaction, t.name);
        if (rows !== t.rows) throw new ArchiveError(`table ${t.name} holds ${rows} rows after loading, the manifest says ${t.rows}`);
      }
      sequencesReset = await resetSequences(sequelize, transaction, [...tables.keys()]);
    });
  } catch (error) {
    progress.stop();
    for (const key of added) await storage.delete(key).catch(() => undefined);
    throw error;
  }

  const migratedForward = await migrateUp(sequelize);
  return {
    archiveSchemaVersion: manifest.schemaVersion,
    migratedForward,
    tables: manifest.tables,
    objects: manifest.objects.count,
    objectBytes: manifest.objects.bytes,
    replaced: replacing,
    sequencesReset,
  };
};
