import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../../composition/bootstrap.js';
import { JOB_TOKENS, startJobRunner } from '../../composition/jobs.js';
import { JOBS } from '../../composition/modules/jobs.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { mib, ratio, table } from './measure.js';

/**
 * Peak live heap (collected every 20 ms) while `POST /records/export`'s job exports N and 10xN
 * records as NDJSON on the embedded profile. The job pages with the keyset cursor and streams into
 * local-disk storage, so the peak should not grow with N; an export that collected the records
 * or the output first would grow about tenfold.
 *
 * Known issue (measured when this bench was written): on the embedded engine the peak still grows
 * about tenfold, because paging itself retains memory there: a bare loop of
 * `RecordRepository.list` pages (no export) grows the live heap by about 0.46 MB per 500-row page
 * on PGlite and stays flat on PostgreSQL. See docs/records.md.
 */
const SMALL = 10_000;
const LARGE = 100_000;

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc (npm run bench does)');
  collect();
};

export const exportMemory = async (): Promise<void> => {
  console.log(`# Records export: peak live heap while exporting ${SMALL} and ${LARGE} records as NDJSON (embedded profile, local disk)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'portside-bench-export-'));
  const runtime = await bootstrap(
    { PROFILE: 'embedded', DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'error', JOBS_POLL_MS: '3600000', FILES_MAX_BYTES: String(1024 ** 3) },
    { migrate: true },
  );
  try {
    const sequelize = runtime.infra.database!.sequelize;
    const owners = { small: '0190a3b4-0000-7000-8000-000000000001', large: '0190a3b4-0000-7000-8000-000000000002' };
    for (const [owner, count] of [[owners.small, SMALL], [owners.large, LARGE]] as const) {
      await sequelize.query(
        `INSERT INTO records (id, owner_id, name, description, config, status, version, created_at, updated_at, created_by, updated_by)
         SELECT gen_random_uuid(), :owner, 'record ' || i, repeat('d', 100), jsonb_build_object('i', i, 'pad', repeat('x', 100)), 'active', 1,
                now() + i * INTERVAL '1 ms', now(), :owner, :owner
         FROM generate_series(1, :count) AS i`,
        { replacements: { owner, count } },
      );
    }
    const runner = startJobRunner(runtime.container, 'api')!;
    const queue = runtime.container.get(JOB_TOKENS.JobQueue);
    const rows: string[][] = [['records', 'file size', 'peak extra live heap', 'seconds']];
    const peaks: number[] = [];
    for (const [owner, count] of [[owners.small, SMALL], [owners.large, LARGE]] as const) {
      const actor: Actor = { userId: owner, sessionId: 'bench', role: 'giver', isAdmin: false };
      gc();
      const base = process.memoryUsage().heapUsed;
      let peak = base;
      const sampler = setInterval(() => {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }, 20);
      const started = Date.now();
      const job = await runtime.container.get(JOBS.ExportRecords).execute(actor, { format: 'ndjson' });
      if (job._tag === 'Left') throw new Error(job.left.message);
      await runner.idle();
      clearInterval(sampler);
      const done = await queue.findById(job.right.id);
      if (done?.status !== 'completed') throw new Error(`export ${done?.status}: ${done?.error}`);
      const [file] = await sequelize.query<{ size: string }>('SELECT size FROM files WHERE id = :id', { replacements: { id: job.right.id }, type: 'SELECT' as never });
      peaks.push(peak - base);
      rows.push([String(count), mib(Number(file!.size)), mib(peak - base), ((Date.now() - started) / 1000).toFixed(1)]);
    }
    await runner.stop();
    console.log(table(rows));
    console.log(`peak at ${LARGE} / peak at ${SMALL}: ${ratio(peaks[1]!, peaks[0]!)} (records: ${ratio(LARGE, SMALL)}; flat is about 1x)`);
  } finally {
    await runtime.infra.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};
