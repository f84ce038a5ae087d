import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import tar from 'tar-stream';
import { MemoryObjectStorage } from '../../adapters/memory/memory-object-storage.js';
import { closeDatabase, openPostgres, type PostgresDatabase } from '../../adapters/postgres/database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../adapters/postgres/embedded-server.js';
import { migrateTo, migrateUp, migrations, schemaVersion } from '../../adapters/postgres/migrations/index.js';
import { exportArchive } from '../../composition/archive/export-archive.js';
import { ArchiveError, HEADER_ENTRY, MANIFEST_ENTRY, ndjsonLines, readAll, readArchive, writeEntry } from '../../composition/archive/format.js';
import { importArchive } from '../../composition/archive/import-archive.js';
import { beginSnapshot, insertRows, listTables, readRows, resetSequences } from '../../adapters/postgres/table-transfer.js';

/**
 * The archive code on throwaway in-memory PGlite databases and memory object stores (no
 * services, no processes): every column type survives, sequences are moved past loaded values,
 * parents load before children, an older archive is migrated forward, a newer one is refused.
 */

const openDb = async (): Promise<{ db: PostgresDatabase; close(): Promise<void> }> => {
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres();
  const db = openPostgres({ connect: embedded.connect, poolMax: 2 });
  return {
    db,
    async close() {
      await closeDatabase(db);
      await embedded.stop();
    },
  };
};

const rowsOf = (db: PostgresDatabase, sql: string) => db.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });

describe('data archive (export and import on in-memory PGlite)', function () {
  this.timeout(120_000);
  let work: string;
  const opened: { close(): Promise<void> }[] = [];
  const fresh = async () => {
    const d = await openDb();
    opened.push(d);
    return d.db;
  };

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'portside-archive-unit-'));
  });
  after(async () => {
    for (const d of opened) await d.close();
    await rm(work, { recursive: true, force: true });
  });

  it('splits NDJSON across chunk boundaries, also inside a multi-byte character', async () => {
    const text = Buffer.from('{"a":"é€😀"}\n{"b":2}\n{"c":3}', 'utf8');
    const chunks = Array.from(text).map((byte) => Buffer.from([byte]));
    const lines: string[] = [];
    for await (const line of ndjsonLines(Readable.from(chunks))) lines.push(line);
    expect(lines).to.deep.equal(['{"a":"é€😀"}', '{"b":2}', '{"c":3}']);
  });

  it('carries every column type exactly, orders parents first and moves sequences past the loaded rows', async () => {
    const schema = [
      'CREATE TABLE z_parent (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, big BIGINT, at TIMESTAMPTZ, doc JSONB, tags TEXT[], raw BYTEA, span TSTZRANGE, twice BIGINT GENERATED ALWAYS AS (big * 2) STORED)',
      // a_child sorts first but depends on z_parent: it must come after it.
      'CREATE TABLE a_child (id SERIAL PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES z_parent (id), note TEXT)',
    ];
    const source = await fresh();
    const target = await fresh();
    for (const sql of schema) {
      await source.sequelize.query(sql);
      await target.sequelize.query(sql);
    }
    await source.sequelize.query(`INSERT INTO z_parent (big, at, doc, tags, raw, span) VALUES
      (9007199254740993, '2026-01-02 03:04:05.123456+00', '{"k": [1, "two", null], "n": 1.5}', ARRAY['x', 'y,"z"'], '\\x00ff10', tstzrange('2026-01-01', '2026-01-02', '[)')),
      (NULL, NULL, 'null', NULL, NULL, NULL)`);
    await source.sequelize.query(`INSERT INTO a_child (parent_id, note) VALUES (1, E'line1\\nline2 "quoted" \\\\ é'), (2, NULL), (1, '')`);

    await source.sequelize.transaction(async (readTx) => {
      await beginSnapshot(source.sequelize, readTx);
      const tables = await listTables(source.sequelize, readTx);
      expect(tables.map((t) => t.name)).to.deep.equal(['z_parent', 'a_child']);
      expect(tables[0]!.columns).to.not.include('twice');
      await target.sequelize.transaction(async (writeTx) => {
        for (const table of tables) {
          // Batches of 1 row: the cursor is read several times.
          for await (const batch of readRows(source.sequelize, readTx, table, 1)) await insertRows(target.sequelize, writeTx, table, batch);
        }
        expect(await resetSequences(target.sequelize, writeTx, tables.map((t) => t.name))).to.equal(2);
      });
    });

    const dump = (db: PostgresDatabase) =>
      rowsOf(db, "SELECT p.id::text, p.big::text, to_char(p.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at, p.doc::text, p.tags::text, encode(p.raw, 'hex') AS raw, p.span::text, p.twice::text FROM z_parent p ORDER BY p.id");
    const copied = await dump(target);
    expect(copied).to.deep.equal(await dump(source));
    expect(copied[0]).to.include({ big: '9007199254740993', at: '2026-01-02 03:04:05.123456', raw: '00ff10', twice: '18014398509481986' });
    expect(await rowsOf(target, 'SELECT * FROM a_child ORDER BY id')).to.deep.equal(await rowsOf(source, 'SELECT * FROM a_child ORDER BY id'));
    // New rows take ids after the copied ones.
    await target.sequelize.query('INSERT INTO z_parent (big) VALUES (1)');
    await target.sequelize.query("INSERT INTO a_child (parent_id, note) VALUES (3, 'new')");
    expect((await rowsOf(target, 'SELECT max(id)::int AS id FROM z_parent'))[0]!['id']).to.equal(3);
    expect((await rowsOf(target, 'SELECT max(id) AS id FROM a_child'))[0]!['id']).to.equal(4);
  });

  it('imports an archive from an older schema and migrates it forward', async () => {
    const names = migrations.map((m) => m.name);
    const older = names[names.length - 2]!;
    const source = await fresh();
    await migrateTo(source.sequelize, older);
    await source.sequelize.query(`INSERT INTO records (id, owner_id, name, config, status, version, created_at, updated_at, created_by, updated_by)
      VALUES (gen_random_uuid(), gen_random_uuid(), 'old', '{}', 'active', 3, now(), now(), gen_random_uuid(), gen_random_uuid())`);
    const file = path.join(work, 'older.tar.gz');
    const exported = await exportArchive({ database: source, storage: new MemoryObjectStorage(), out: file, source: { database: 'embedded', objects: 'memory' } });
    expect(exported.schemaVersion).to.equal(older);

    // The target starts at the current schema (a server ran on it once): it is brought back, loaded, moved forward.
    const target = await fresh();
    await migrateUp(target.sequelize);
    const imported = await importArchive({ database: target, storage: new MemoryObjectStorage(), file });
    expect(imported.archiveSchemaVersion).to.equal(older);
    expect(imported.migratedForward).to.deep.equal([names[names.length - 1]]);
    expect(await schemaVersion(target.sequelize)).to.equal(names[names.length - 1]);
    expect(await rowsOf(target, 'SELECT name, version FROM records')).to.deep.equal([{ name: 'old', version: 3 }]);
  });

  it('refuses an archive from a newer schema before touching the target', async () => {
    const source = await fresh();
    await migrateUp(source.sequelize);
    const file = path.join(work, 'current.tar.gz');
    await exportArchive({ database: source, storage: new MemoryObjectStorage(), out: file, source: { database: 'embedded', objects: 'memory' } });
    const newer = path.join(work, 'newer.tar.gz');
    const pack = tar.pack();
    const written = pipeline(pack, createGzip(), createWriteStream(newer));
    for await (const entry of readArchive(file)) {
      let body = await readAll(entry);
      if (entry.name === HEADER_ENTRY || entry.name === MANIFEST_ENTRY) {
        body = Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString()) as object), schemaVersion: '9999-from-the-future' }));
      }
      await writeEntry(pack, entry.name, body.length, body);
    }
    pack.finalize();
    await written;
    const target = await fresh();
    const error = await importArchive({ database: target, storage: new MemoryObjectStorage(), file: newer }).then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(ArchiveError);
    expect((error as Error).message).to.match(/9999-from-the-future, which this version of Portside does not know/);
    expect(await schemaVersion(target.sequelize)).to.equal(null);
  });
});
