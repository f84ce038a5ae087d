import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalDiskObjectStorage } from '../../adapters/local-disk/local-disk-object-storage.js';
import { closeDatabase, openPostgres } from '../../adapters/postgres/database.js';
import { startEmbeddedPostgres } from '../../adapters/postgres/embedded-server.js';
import { migrateUp } from '../../adapters/postgres/migrations/index.js';
import { exportArchive } from '../../composition/archive/export-archive.js';
import { mib, ratio, table } from './measure.js';

/**
 * `npm run cli -- export` on the embedded profile with local-disk objects: peak live heap
 * (collected every 200 ms: a full collection every 20 ms would slow the export itself tenfold) and peak RSS above what the process held before, for a small export and
 * one ten times larger (100,000 records and 1,000 objects of 64 KiB), measured in one run. Rows go
 * through a cursor a chunk at a time and objects are streamed, so both peaks should stay about the
 * same; an export that held a table or an object whole would grow with them.
 */
const SIZES = [
  { records: 10_000, objects: 100 },
  { records: 100_000, objects: 1_000 },
] as const;
const OBJECT_BYTES = 64 * 1024;

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc (npm run bench does)');
  collect();
};

const open = async (dir: string) => {
  const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'db') });
  const database = openPostgres({ connect: embedded.connect, poolMax: 4 });
  const storage = new LocalDiskObjectStorage({ root: join(dir, 'objects'), linkSecret: randomBytes(32) });
  return {
    database,
    storage,
    close: async () => {
      await closeDatabase(database);
      await embedded.stop();
    },
  };
};

const prepare = async (dir: string, records: number, objects: number): Promise<void> => {
  const { database, storage, close } = await open(dir);
  try {
    await migrateUp(database.sequelize);
    const owner = '0190a3b4-0000-7000-8000-000000000001';
    await database.sequelize.query(
      `INSERT INTO records (id, owner_id, name, description, config, status, version, created_at, updated_at, created_by, updated_by)
       SELECT gen_random_uuid(), :owner, 'record ' || i, repeat('d', 100), jsonb_build_object('i', i, 'pad', repeat('x', 100)), 'active', 1,
              now() + i * INTERVAL '1 ms', now(), :owner, :owner
       FROM generate_series(1, :count) AS i`,
      { replacements: { owner, count: records } },
    );
    for (let i = 0; i < objects; i += 1) {
      await storage.put(`files/bench-${i}`, Readable.from([randomBytes(OBJECT_BYTES)]), { maxBytes: OBJECT_BYTES, contentType: 'application/octet-stream' });
    }
  } finally {
    await close();
  }
};

export const archiveMemory = async (): Promise<void> => {
  console.log(`# Data export (npm run cli -- export): peak live heap and RSS, ${SIZES.map((s) => `${s.records} records + ${s.objects} objects`).join(' vs ')} (embedded, local disk)`);
  const work = mkdtempSync(join(tmpdir(), 'portside-bench-archive-'));
  try {
    for (const [i, size] of SIZES.entries()) await prepare(join(work, `data-${i}`), size.records, size.objects);
    const rows: string[][] = [['records', 'objects', 'archive', 'peak extra heap', 'peak extra RSS', 'seconds']];
    const heaps: number[] = [];
    const rsses: number[] = [];
    for (const [i, size] of SIZES.entries()) {
      const { database, storage, close } = await open(join(work, `data-${i}`));
      const out = join(work, `export-${i}.tar.gz`);
      try {
        gc();
        const base = process.memoryUsage();
        let heap = base.heapUsed;
        let rss = base.rss;
        const sampler = setInterval(() => {
          gc();
          const now = process.memoryUsage();
          heap = Math.max(heap, now.heapUsed);
          rss = Math.max(rss, now.rss);
        }, 200);
        const started = Date.now();
        const summary = await exportArchive({ database, storage, out, source: { database: 'embedded', objects: 'local-disk' } });
        clearInterval(sampler);
        if (summary.objects !== size.objects) throw new Error(`exported ${summary.objects} objects, expected ${size.objects}`);
        heaps.push(heap - base.heapUsed);
        rsses.push(rss - base.rss);
        rows.push([String(size.records), String(size.objects), mib(statSync(out).size), mib(heap - base.heapUsed), mib(rss - base.rss), ((Date.now() - started) / 1000).toFixed(1)]);
      } finally {
        await close();
      }
    }
    console.log(table(rows));
    console.log(
      `large / small: heap ${ratio(heaps[1]!, Math.max(heaps[0]!, 1))}, RSS ${ratio(Math.max(rsses[1]!, 1), Math.max(rsses[0]!, 1))} ` +
        `(data: ${ratio(SIZES[1].records, SIZES[0].records)}; flat is about 1x; RSS above the first run's is memory the process never had before)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
};
