import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { QueryTypes } from 'sequelize';
import tar from 'tar-stream';
import type { ObjectStorage } from '../../core/files/ports/object-storage.js';
import type { PostgresDatabase } from '../../adapters/postgres/database.js';
import { beginSnapshot, contentTypeOfObject, countRows, listTables, MIGRATIONS_TABLE, quoteIdent, readRows } from '../../adapters/postgres/table-transfer.js';
import {
  CHUNK_ROWS,
  FORMAT,
  FORMAT_VERSION,
  HEADER_ENTRY,
  MANIFEST_ENTRY,
  objectEntryName,
  tableChunkName,
  writeEntry,
  type ArchiveHeader,
  type Manifest,
  type ManifestObject,
  type ManifestTable,
} from './format.js';
import { silentProgress, type Progress } from './progress.js';

export interface ExportOptions {
  readonly database: PostgresDatabase;
  readonly storage: ObjectStorage;
  /** The archive to write; it appears only once complete (written beside it first). */
  readonly out: string;
  /** What the manifest says the data came from (e.g. `embedded`, `local-disk`). */
  readonly source: { readonly database: string; readonly objects: string };
  readonly progress?: Progress;
  /** Rows per read from the database (and per archive chunk). */
  readonly chunkRows?: number;
}

export interface ExportSummary {
  readonly file: string;
  readonly schemaVersion: string;
  readonly tables: readonly ManifestTable[];
  readonly objects: number;
  readonly objectBytes: number;
  /** Objects listed but deleted before they could be read (a server still running). */
  readonly vanished: number;
}

export class NothingToExportError extends Error {
  override readonly name = 'NothingToExportError';
}

/** Objects are listed up to this far ahead of the local clock: a store's clock may run ahead of ours. */
const EVERYTHING = 24 * 60 * 60_000;

/**
 * Writes a consistent snapshot of the database and every object of the store into one archive
 * (format.ts). The rows come from one read-only REPEATABLE READ transaction, so they are
 * consistent with each other even while a server writes; the objects are listed after that
 * snapshot began, so every object a row of the snapshot refers to is there (unless it was deleted
 * meanwhile: counted as `vanished`). Memory stays flat: rows are read through a cursor a chunk at
 * a time and objects are streamed; only the manifest's list of objects grows with their number.
 * The file appears under its name only once complete.
 */
export const exportArchive = async (options: ExportOptions): Promise<ExportSummary> => {
  const { database, storage, out } = options;
  const progress = options.progress ?? silentProgress;
  const chunkRows = options.chunkRows ?? CHUNK_ROWS;
  const { sequelize } = database;
  const partial = `${out}.partial`;

  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(partial));
  // A failure on the file side (disk full) must not leave the writers below waiting for a drain.
  written.catch((error: unknown) => pack.destroy(error as Error));

  try {
    // Everything in the one transaction: on the embedded engine a query outside it would wait forever.
    const manifest = await sequelize.transaction(async (transaction): Promise<Manifest> => {
      await beginSnapshot(sequelize, transaction);
      const [present] = await sequelize.query<{ present: boolean }>(`SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS present`, { type: QueryTypes.SELECT, transaction });
      const migrations = present?.present
        ? (await sequelize.query<{ name: string }>(`SELECT name FROM ${quoteIdent(MIGRATIONS_TABLE)} ORDER BY name`, { type: QueryTypes.SELECT, transaction })).map((r) => r.name)
        : [];
      const schemaVersion = migrations[migrations.length - 1];
      if (schemaVersion === undefined) throw new NothingToExportError('the database has no schema yet (no migration applied): there is nothing to export');
      const header: ArchiveHeader = { format: FORMAT, formatVersion: FORMAT_VERSION, schemaVersion, createdAt: new Date().toISOString() };
      const headerBytes = Buffer.from(JSON.stringify(header, null, 2));
      await writeEntry(pack, HEADER_ENTRY, headerBytes.length, headerBytes);

      const tables: ManifestTable[] = [];
      for (const table of await listTables(sequelize, transaction)) {
        const total = await countRows(sequelize, transaction, table.name);
        progress.start(`table ${table.name}`, total, 'rows');
        const hash = createHash('sha256');
        let rows = 0;
        let chunks = 0;
        for await (const batch of readRows(sequelize, transaction, table, chunkRows)) {
          const bytes = Buffer.from(`${batch.join('\n')}\n`, 'utf8');
          hash.update(bytes);
          chunks += 1;
          await writeEntry(pack, tableChunkName(table.name, chunks), bytes.length, bytes);
          rows += batch.length;
          progress.update(rows);
        }
        progress.stop();
        tables.push({ name: table.name, rows, chunks, sha256: hash.digest('hex') });
      }

      const hasFiles = tables.some((t) => t.name === 'files');
      const items: ManifestObject[] = [];
      let bytes = 0;
      let vanished = 0;
      const listed: string[] = [];
      for await (const object of storage.list('', new Date(Date.now() + EVERYTHING))) listed.push(object.key);
      progress.start('objects', listed.length, 'objects');
      for (const key of listed) {
        const content = await storage.get(key);
        if (!content) {
          vanished += 1;
          continue;
        }
        const entry = objectEntryName(items.length + 1);
        const hash = createHash('sha256');
        let size = 0;
        const body = (async function* () {
          for await (const chunk of content.body as AsyncIterable<Buffer>) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        })();
        await writeEntry(pack, entry, content.size, body);
        if (size !== content.size) throw new Error(`object ${key} changed size while it was read (${content.size} then ${size} bytes)`);
        const contentType = (hasFiles ? await contentTypeOfObject(sequelize, transaction, key) : null) ?? 'application/octet-stream';
        items.push({ entry, key, size, sha256: hash.digest('hex'), contentType });
        bytes += size;
        progress.update(items.length + vanished);
      }
      progress.stop();
      if (vanished > 0) progress.line(`  ${vanished} object(s) were deleted while the export ran and are not in the archive`);
      return { ...header, migrations, source: { ...options.source }, tables, objects: { count: items.length, bytes, items }, vanished } as Manifest & { vanished: number };
    });

    const manifestBytes = Buffer.from(JSON.stringify(manifest, (k, v: unknown) => (k === 'vanished' ? undefined : v), 2));
    await writeEntry(pack, MANIFEST_ENTRY, manifestBytes.length, manifestBytes);
    pack.finalize();
    await written;
    await rename(partial, out);
    return {
      file: out,
      schemaVersion: manifest.schemaVersion,
      tables: manifest.tables,
      objects: manifest.objects.count,
      objectBytes: manifest.objects.bytes,
      vanished: (manifest as Manifest & { vanished: number }).vanished,
    };
  } catch (error) {
    progress.stop();
    pack.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
};
